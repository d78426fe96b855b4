import CIDN2

/// Internationalised domain names (IDNA 2008 by UTS #46 non-transitional processing, via
/// libidn2): mail carries a domain such as `pärnu.ee` as its A-label form
/// `xn--prnu-loa.ee` in the envelope, the headers, the Message-ID and DKIM `d=`.
public enum IDNA {
    /// True when `domain` needs IDNA processing: a non-ASCII character or an `xn--` label
    /// (an A-label given as such is checked too, so a malformed one is refused).
    public static func isInternational(_ domain: some StringProtocol) -> Bool {
        let prefix: [UInt8] = [0x78, 0x6E, 0x2D, 0x2D]  // "xn--"
        var matched = 0  // bytes of `prefix` matched at the start of the current label; -1: not at a label start
        for byte in domain.utf8 {
            if byte >= 0x80 { return true }
            if byte == UInt8(ascii: ".") {
                matched = 0
            } else if matched >= 0 {
                matched = (byte | 0x20) == prefix[matched] ? matched + 1 : -1
                if matched == prefix.count { return true }
            }
        }
        return false
    }

    /// The ASCII (A-label) form of `domain`, lower case: `Pärnu.EE` → `xn--prnu-loa.ee`.
    /// An ASCII domain without `xn--` labels is returned lower-cased. Throws
    /// ``MailboxError/Code/invalidIDN`` saying why libidn2 refused the name.
    public static func asciiDomain(_ domain: String) throws(MailboxError) -> String {
        guard isInternational(domain) else { return domain.lowercased() }
        var output = [CChar](repeating: 0, count: 256)
        let status = cidn2_to_ascii(domain, &output, output.count)
        guard status == 0 else {
            throw MailboxError(.invalidIDN, "'\(domain)' is not a valid internationalised domain name (IDNA 2008): \(String(cString: cidn2_strerror(status)))")
        }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }

    /// Whether `a` and `b` name the same domain, compared in one form (A-label, lower case,
    /// without a trailing dot): `Müller.de` and `xn--mller-kva.de.` are the same. A name
    /// libidn2 refuses is compared as it is written, lower-cased.
    public static func sameDomain(_ a: String, _ b: String) -> Bool {
        func comparable(_ domain: String) -> String {
            let name = domain.hasSuffix(".") ? String(domain.dropLast()) : domain
            return (try? asciiDomain(name)) ?? name.lowercased()
        }
        return comparable(a) == comparable(b)
    }

    /// `domain` with its A-labels shown as Unicode (`xn--prnu-loa.ee` → `pärnu.ee`) for
    /// people to read; `domain` itself when it has none or cannot be decoded.
    public static func displayDomain(_ domain: String) -> String {
        guard isInternational(domain) else { return domain }
        var output = [CChar](repeating: 0, count: 1024)
        guard cidn2_to_unicode(domain, &output, output.count) == 0 else { return domain }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `address` (`local@domain`) with its domain shown as Unicode, for display.
    public static func displayAddress(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[...at]) + displayDomain(String(address[address.index(after: at)...]))
    }
}
