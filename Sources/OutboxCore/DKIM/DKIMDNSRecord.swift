/// The DNS TXT record that publishes a DKIM public key: `SELECTOR._domainkey.DOMAIN`
/// with `v=DKIM1; k=rsa|ed25519; p=BASE64`.
public struct DKIMDNSRecord: Sendable, Hashable {
    public let domain: String
    public let selector: String
    public let algorithm: DKIMAlgorithm
    /// The `p=` value (base64).
    public let publicKey: String

    public init(domain: String, selector: String, algorithm: DKIMAlgorithm, publicKey: String) {
        self.domain = domain
        self.selector = selector
        self.algorithm = algorithm
        self.publicKey = publicKey
    }

    /// The owner name of the record, e.g. `s2026._domainkey.example.com`.
    public var name: String { "\(selector)._domainkey.\(domain)" }

    /// The record's text as one string.
    public var text: String { "v=DKIM1; k=\(algorithm.keyType); p=\(publicKey)" }

    /// The text split into character-strings of at most 255 octets (RFC 1035 §3.3.14), as a
    /// TXT record must carry a longer text; verifiers join them without separators.
    public var strings: [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            parts.append(String(rest.prefix(Self.stringLimit)))
            rest = rest.dropFirst(Self.stringLimit)
        }
        return parts
    }

    /// The zone-file line to publish: `NAME IN TXT "…" "…"`.
    public var zoneLine: String {
        "\(name) IN TXT " + strings.map { "\"\($0)\"" }.joined(separator: " ")
    }

    static let stringLimit = 255
}

extension DKIMDNSRecord {
    /// The key a published TXT text carries: `k=` (default `rsa`) and `p=` without spaces
    /// (empty for a revoked key); nil when the text is not a DKIM key record (RFC 6376 §3.6.1).
    public static func publishedKey(in text: String) -> (keyType: String, publicKey: String)? {
        var tags: [String: String] = [:]
        for part in text.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            tags[part[..<equals].strippingBlanks.lowercased()] = String(part[part.index(after: equals)...].filter { !$0.isWhitespace })
        }
        guard let key = tags["p"], tags["v"].map({ $0 == "DKIM1" }) ?? true else { return nil }
        return ((tags["k"] ?? "rsa").lowercased(), key)
    }

    /// Whether a published TXT text carries this record's key.
    public func isPublished(in text: String) -> Bool {
        guard let published = Self.publishedKey(in: text) else { return false }
        return published.keyType == algorithm.keyType && published.publicKey == publicKey
    }
}
