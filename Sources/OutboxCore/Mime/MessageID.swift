/// Message-ID values (RFC 5322 §3.6.4), without the angle brackets.
public enum MessageID {
    /// `token@domain`, e.g. `make(token: "3f2a9c", domain: "outbox.example")` →
    /// `"3f2a9c@outbox.example"`. Token bytes other than letters, digits, `-`, `_` and
    /// inner single dots are written as `=XX`, so any token gives a valid id; the same
    /// token always gives the same id. Throws ``MailboxError`` when `domain` is not a
    /// host name. An internationalised domain is written as its A-label (``IDNA``).
    public static func make(token: String, domain: String) throws(MailboxError) -> String {
        let domainBytes = Array(try IDNA.asciiDomain(domain).utf8)
        guard !domainBytes.isEmpty, domainBytes.count <= 255, AddressSyntax.isValidDomain(domainBytes) else {
            throw MailboxError(.invalidDomain, "Message-ID domain '\(domain)' is not a valid host name")
        }
        let tokenBytes = Array(token.utf8)
        guard !tokenBytes.isEmpty else { throw MailboxError(.empty, "Message-ID token is empty") }
        var id = [UInt8]()
        id.reserveCapacity(tokenBytes.count + domainBytes.count + 1)
        for (index, byte) in tokenBytes.enumerated() {
            let isDotInside = byte == UInt8(ascii: ".") && index > 0 && index < tokenBytes.count - 1
                && tokenBytes[index - 1] != UInt8(ascii: ".")
            if AddressSyntax.isLetterDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || isDotInside {
                id.append(byte)
            } else {
                id.append(UInt8(ascii: "="))
                id.append(QuotedPrintableEncoder.hexDigit(byte >> 4))
                id.append(QuotedPrintableEncoder.hexDigit(byte & 0x0F))
            }
        }
        id.append(UInt8(ascii: "@"))
        id.append(contentsOf: domainBytes)
        return String(decoding: id, as: UTF8.self)
    }

    /// Whether `byte` may appear in an id Outbox writes: printable ASCII except the
    /// brackets, quotes, backslash and space.
    static func isSafe(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
            && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }
}
