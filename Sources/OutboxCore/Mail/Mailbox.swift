import Foundation

/// An email address with an optional display name, as in `Jüri Õunapuu <juri@example.ee>`.
///
/// Values are only made through ``init(address:displayName:)`` or ``parse(_:)``, both of
/// which validate, so a `Mailbox` in hand is always safe to put into a header or envelope.
public struct Mailbox: Hashable, Sendable, CustomStringConvertible {
    /// The addr-spec, `local@domain`, with the domain lowercased and in its ASCII form
    /// (A-labels: `juri@pärnu.ee` is kept as `juri@xn--prnu-loa.ee`, as it is sent).
    /// The local part may hold UTF-8 (``requiresSMTPUTF8``).
    public let address: String
    /// The display name, if any; free Unicode text without control characters.
    public let displayName: String?

    /// Validates and makes a mailbox. Throws ``MailboxError`` naming what is wrong.
    public init(address: String, displayName: String? = nil) throws(MailboxError) {
        let trimmed = address.trimmingSpaces()
        self.address = try AddressSyntax.canonical(trimmed)
        if let name = displayName?.trimmingSpaces(), !name.isEmpty {
            if let bad = name.unicodeScalars.first(where: HeaderField.isForbiddenInValue) {
                throw MailboxError(.controlCharacterInName, "display name contains control character U+\(String(bad.value, radix: 16, uppercase: true))")
            }
            guard name.utf8.count <= 256 else {
                throw MailboxError(.nameTooLong, "display name is longer than 256 bytes")
            }
            self.displayName = name
        } else {
            self.displayName = nil
        }
    }

    /// Parses `addr`, `Name <addr>` or `"Quoted, Name" <addr>`.
    public static func parse(_ text: String) throws(MailboxError) -> Mailbox {
        let text = text.trimmingSpaces()
        guard text.hasSuffix(">"), let open = text.lastIndex(of: "<") else {
            return try Mailbox(address: text)
        }
        let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        var name = String(text[..<open]).trimmingSpaces()
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast())
                .replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        return try Mailbox(address: address, displayName: name.isEmpty ? nil : name)
    }

    /// True when the local part has UTF-8 (RFC 6531): the address can only be sent to a
    /// server that offers SMTPUTF8, and headers carrying it are raw UTF-8 (RFC 6532).
    public var requiresSMTPUTF8: Bool { AddressSyntax.requiresSMTPUTF8(address) }

    /// The address with its domain in Unicode (`juri@pärnu.ee`), for people to read.
    public var displayAddress: String { IDNA.displayAddress(address) }

    public var description: String {
        guard let displayName else { return address }
        return "\(displayName) <\(address)>"
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (not newlines: those are errors).
    func trimmingSpaces() -> String {
        // A leading or trailing space or tab is that byte: without one, nothing to trim.
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        if let first = utf8.first, let last = utf8.last, !isSpace(first), !isSpace(last) { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

}
