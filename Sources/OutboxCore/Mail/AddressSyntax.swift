#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 5321 / RFC 5322 addr-spec checks: dot-atom or quoted local part, a domain of
/// LDH labels or an address literal, and the RFC 5321 length limits (64 / 255 / 254).
///
/// Internationalised addresses (RFC 6531/6532): the local part may hold UTF-8 (sent only
/// with SMTPUTF8), and a domain such as `pärnu.ee` is taken in its A-label form
/// (`xn--prnu-loa.ee`, ``IDNA``), which is what the limits and the LDH check apply to.
public enum AddressSyntax {
    /// Throws a ``MailboxError`` describing the first problem found in `address`.
    public static func validate(_ address: String) throws(MailboxError) {
        _ = try canonical(address)
    }

    /// `address` as Outbox sends it: the local part as given, the domain lower-cased and
    /// in its ASCII (A-label) form. Throws a ``MailboxError`` describing the first problem.
    public static func canonical(_ address: String) throws(MailboxError) -> String {
        if let valid = canonicalASCII(address) { return valid }
        return try checkedCanonical(address)
    }

    /// ``canonical(_:)`` by the full check, for any address; throws naming the first problem.
    static func checkedCanonical(_ address: String) throws(MailboxError) -> String {
        if address.isEmpty { throw MailboxError(.empty, "address is empty") }
        if address.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            throw MailboxError(.lineBreak, "address contains a line break")
        }
        guard let at = address.lastIndex(of: "@") else {
            throw MailboxError(.missingAt, "address '\(address)' has no '@'")
        }
        let local = address[..<at]
        let givenDomain = String(address[address.index(after: at)...])
        let domain: String
        if givenDomain.hasPrefix("[") {
            domain = givenDomain.lowercased()
        } else {
            do { domain = try IDNA.asciiDomain(givenDomain) } catch {
                throw MailboxError(.invalidIDN, "domain of '\(address)': \(error.reason)")
            }
        }
        let canonical = local + "@" + domain
        if canonical.utf8.count > 254 {
            throw MailboxError(.addressTooLong, "address '\(address)' is longer than 254 bytes")
        }
        if local.isEmpty || local.utf8.count > 64 {
            throw MailboxError(.localPartTooLong, "local part of '\(address)' must be 1 to 64 bytes")
        }
        if domain.utf8.count > 255 {
            throw MailboxError(.domainTooLong, "domain of '\(address)' is longer than 255 characters")
        }
        if let bad = local.unicodeScalars.first(where: HeaderField.isForbiddenInValue) {
            throw MailboxError(.invalidLocalPart, "local part of '\(address)' contains control character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        guard isValidLocalPart(Array(local.utf8)) else {
            throw MailboxError(.invalidLocalPart, "local part of '\(address)' is not a valid dot-atom or quoted string")
        }
        guard isValidDomain(Array(domain.utf8)) else {
            throw MailboxError(.invalidDomain, "domain of '\(address)' is not a valid host name or address literal")
        }
        return canonical
    }

    /// ``canonical(_:)`` of a valid all-ASCII address whose domain is a plain host name, read
    /// byte by byte; nil for anything else (non-ASCII, an address literal, an `xn--` label,
    /// or any problem), which the full check then handles and words. The common case costs
    /// a tenth of the full check, which reads the address as Characters: addresses are
    /// checked again when stored ones are read for sending, per message.
    static func canonicalASCII(_ address: String) -> String? {
        var address = address
        return address.withUTF8 { bytes -> String? in
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
                let at = bytes.lastIndex(of: UInt8(ascii: "@"))
            else { return nil }
            let local = bytes[..<at], givenDomain = bytes[(at + 1)...]
            guard (1...64).contains(local.count), givenDomain.count <= 255, bytes.count <= 254,
                givenDomain.first != UInt8(ascii: "["), !IDNA.isInternational(String(decoding: givenDomain, as: UTF8.self))
            else { return nil }
            var canonical = [UInt8](local)
            canonical.append(UInt8(ascii: "@"))
            let domainStart = canonical.count
            canonical.append(contentsOf: givenDomain.lazy.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 })
            guard isValidLocalPart(Array(local)), isValidDomain(Array(canonical[domainStart...])) else { return nil }
            return String(decoding: canonical, as: UTF8.self)
        }
    }

    /// True when `address` needs SMTPUTF8 (RFC 6531): its local part has non-ASCII
    /// characters. (Domains travel as A-labels, so they never do.)
    public static func requiresSMTPUTF8(_ address: String) -> Bool {
        address.utf8.contains { $0 >= 0x80 }
    }

    /// `atext` of RFC 5322 §3.2.3.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    static func isValidLocalPart(_ bytes: [UInt8]) -> Bool {
        if bytes.first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return false }
            var escaped = false
            for byte in bytes.dropFirst().dropLast() {
                if escaped { escaped = false; continue }
                if byte == UInt8(ascii: "\\") { escaped = true; continue }
                if byte == UInt8(ascii: "\"") || byte < 0x20 || byte == 0x7F { return false }  // UTF-8 is qtext (RFC 6532)
            }
            return !escaped
        }
        return isDotAtom(bytes)
    }

    static func isDotAtom(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isAtext(byte) || byte >= 0x80 else { return false }  // UTF8-non-ascii is atext (RFC 6532)
                previousDot = false
            }
        }
        return true
    }

    static func isValidDomain(_ bytes: [UInt8]) -> Bool {
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.last == UInt8(ascii: "]"), bytes.count > 2 else { return false }
            return isAddressLiteral(String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self))
        }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 1 else { return false }
        for label in labels {
            guard (1...63).contains(label.count),
                label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                label.allSatisfy({ isLetterDigit($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return true
    }

    /// RFC 5321 §4.1.3 address literals: `1.2.3.4` (each part 0-255) or `IPv6:…`.
    /// General literals (`tag:content`) name no standard tag here, so they are refused.
    static func isAddressLiteral(_ text: String) -> Bool {
        if text.hasPrefix("IPv6:") || text.hasPrefix("ipv6:") {
            var address = in6_addr()
            return inet_pton(AF_INET6, String(text.dropFirst(5)), &address) == 1
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part).map { $0 <= 255 } == true
        }
    }

    static func isLetterDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
