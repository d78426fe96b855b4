/// Checks the names a DKIM key is filed under: the signing domain (`d=`) and the selector
/// (`s=`), both DNS names of letter-digit-hyphen labels (RFC 6376 §3.1, §3.5).
public enum DKIMName {
    /// `domain` in lower case, or an error that says what is wrong with it. An
    /// internationalised domain (`pärnu.ee`) is taken as its A-label (`xn--prnu-loa.ee`,
    /// ``IDNA``): that is the `d=` the signature carries and the name the key is filed under.
    public static func domain(_ domain: String) throws(DKIMError) -> String {
        let lowered: String
        do { lowered = try IDNA.asciiDomain(domain) } catch {
            throw DKIMError(.invalidName, "DKIM domain: \(error.reason)")
        }
        try check(lowered, what: "domain", minimumLabels: 2)
        return lowered
    }

    /// `selector` in lower case, or an error.
    public static func selector(_ selector: String) throws(DKIMError) -> String {
        let lowered = selector.lowercased()
        try check(lowered, what: "selector", minimumLabels: 1)
        return lowered
    }

    private static func check(_ name: String, what: String, minimumLabels: Int) throws(DKIMError) {
        guard !name.isEmpty else { throw DKIMError(.invalidName, "the DKIM \(what) is empty") }
        if name.unicodeScalars.contains(where: { !$0.isASCII }) {
            throw DKIMError(.invalidName, "DKIM \(what) '\(name)': give an internationalised name as its A-label (xn--…)")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.utf8.count <= 253, labels.count >= minimumLabels else {
            throw DKIMError(.invalidName, "DKIM \(what) '\(name)' is not a \(minimumLabels > 1 ? "domain name such as example.com" : "DNS name")")
        }
        for label in labels {
            let valid = !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            guard valid else {
                throw DKIMError(.invalidName, "DKIM \(what) '\(name)': each label must be 1-63 letters, digits or inner hyphens")
            }
        }
    }
}
