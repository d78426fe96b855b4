/// A domain's published DMARC policy (RFC 7489 §6.3): `v=DMARC1; p=…; sp=…; adkim=…; aspf=…`.
/// Only what sending needs is read; `pct`, `rua`, `ruf` and `fo` are not (a `pct` below 100
/// still counts as the full policy: Outbox does not gamble on a sample).
public struct DMARCRecord: Sendable, Hashable {
    public enum Policy: String, Sendable, Hashable {
        case none, quarantine, reject
    }

    /// `p=`: the policy for the domain itself.
    public let policy: Policy
    /// `sp=`: the policy for its subdomains; nil means `p=`.
    public let subdomainPolicy: Policy?
    /// `adkim=s`: DKIM's `d=` must equal the From domain (otherwise the same organisational domain).
    public let strictDKIM: Bool
    /// `aspf=s`: the envelope sender's domain must equal the From domain.
    public let strictSPF: Bool

    /// Parses one TXT record; nil when it is not a DMARC record (RFC 7489 §6.6.3: `v=DMARC1`
    /// first) or its `p=` is missing or unknown.
    public init?(_ text: String) {
        var tags: [String: String] = [:]
        let parts = text.split(separator: ";").map { $0.strippingBlanks }.filter { !$0.isEmpty }
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            tags[part[..<equals].strippingBlanks.lowercased()] = part[part.index(after: equals)...].strippingBlanks
        }
        guard let first = parts.first, first.filter({ $0 != " " }).uppercased() == "V=DMARC1",
            let policy = tags["p"].flatMap({ Policy(rawValue: $0.lowercased()) })
        else { return nil }
        self.policy = policy
        subdomainPolicy = tags["sp"].flatMap { Policy(rawValue: $0.lowercased()) }
        strictDKIM = tags["adkim"]?.lowercased() == "s"
        strictSPF = tags["aspf"]?.lowercased() == "s"
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var strippingBlanks: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
