/// Writes header fields into a byte buffer, folding at whitespace (RFC 5322 §2.2.3) so
/// lines stay within 76 characters wherever the content allows. Text that cannot be sent
/// as it is becomes RFC 2047 encoded-words; display names that need it are quoted.
struct HeaderWriter {
    static let lineLimit = 76
    /// An ASCII word longer than this is sent as encoded-words so it can be folded.
    static let longestPlainWord = 900

    var bytes: [UInt8]
    private(set) var column = 0
    private var atFieldStart = true

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func beginField(_ name: String) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ":"))
        column = name.utf8.count + 1
        atFieldStart = true
    }

    mutating func endField() {
        bytes.append(13)
        bytes.append(10)
        column = 0
    }

    /// Writes the whitespace before a token of `length` characters: a space, or a fold
    /// when the token would run past the line limit. The caller then appends the token.
    mutating func separator(before length: Int) {
        if !atFieldStart && column + 1 + length > Self.lineLimit {
            bytes.append(13)
            bytes.append(10)
            column = 0
        }
        bytes.append(32)
        column += 1 + length
        atFieldStart = false
    }

    /// A token that may follow a fold.
    mutating func token(_ text: some Collection<UInt8>) {
        separator(before: text.count)
        bytes.append(contentsOf: text)
    }

    /// A `;`-separated parameter such as `charset=utf-8`, given whole.
    mutating func parameter(_ text: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: ";"))
        column += 1
        token(text)
    }

    /// A whole field of unstructured text (RFC 5322 §3.2.5), e.g. Subject.
    mutating func unstructuredField(_ name: String, _ value: String) {
        beginField(name)
        var value = value
        value.withUTF8 { text in
            if Self.unstructuredNeedsEncoding(text) { encodedWords(text) } else { plainWords(text) }
        }
        endField()
    }

    /// A whole field holding a mailbox list; empty lists are written as an empty group.
    mutating func addressField(_ name: String, _ mailboxes: [Mailbox]) {
        beginField(name)
        if mailboxes.isEmpty { token("undisclosed-recipients:;".utf8) }
        for (index, mailbox) in mailboxes.enumerated() {
            let comma = index < mailboxes.count - 1 ? 1 : 0
            let address = mailbox.address.utf8
            if let name = mailbox.displayName {
                phrase(name)
                separator(before: address.count + 2 + comma)
                bytes.append(UInt8(ascii: "<"))
                bytes.append(contentsOf: address)
                bytes.append(UInt8(ascii: ">"))
            } else {
                separator(before: address.count + comma)
                bytes.append(contentsOf: address)
            }
            if comma == 1 { bytes.append(UInt8(ascii: ",")) }
        }
        endField()
    }

    /// A display name: atoms as they are, other ASCII as a quoted-string, anything else
    /// as encoded-words.
    mutating func phrase(_ name: String) {
        var name = name
        name.withUTF8 { text in
            var atoms = true
            var escapes = 0
            var previous: UInt8 = 32
            for byte in text {
                if byte >= 0x80 || byte < 0x20 || byte == 0x7F || (previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?")) {
                    encodedWords(text)
                    return
                }
                if byte == 32 {
                    if previous == 32 { atoms = false }
                } else if !AddressSyntax.isAtext(byte) {
                    atoms = false
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { escapes += 1 }
                }
                previous = byte
            }
            if atoms && previous != 32 {
                plainWords(text)
                return
            }
            separator(before: text.count + escapes + 2)
            bytes.append(UInt8(ascii: "\""))
            for byte in text {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Space-separated words, folding at the spaces; runs of spaces are kept.
    mutating func plainWords(_ text: UnsafeBufferPointer<UInt8>) {
        guard !text.isEmpty else { return }
        var start = 0
        var first = true
        while start <= text.count {
            var end = start
            while end < text.count && text[end] != 32 { end += 1 }
            if end == start && !first {
                bytes.append(32)  // never fold before an empty word: no blank lines
                column += 1
            } else {
                token(UnsafeBufferPointer(rebasing: text[start..<end]))
            }
            first = false
            start = end + 1
        }
    }

    /// The whole text as encoded-words, one per line where it is long, none longer than
    /// 75 characters and no line longer than 76 (RFC 2047 §2).
    mutating func encodedWords(_ text: UnsafeBufferPointer<UInt8>) {
        let scheme = EncodedWordEncoder.scheme(for: text)
        var start = 0
        while start < text.count {
            var room = min(EncodedWordEncoder.maxLength, Self.lineLimit - column - 1)
            if atFieldStart {
                // Never fold right after the colon (readers keep that space); after a
                // very long field name the first line runs past 76 instead.
                room = max(room, 24)
            }
            var end = EncodedWordEncoder.fit(text, from: start, length: room, scheme: scheme)
            if end < text.count && room < 40 && column > 0 && !atFieldStart {
                bytes.append(13)
                bytes.append(10)
                column = 0
                room = EncodedWordEncoder.maxLength
                end = EncodedWordEncoder.fit(text, from: start, length: room, scheme: scheme)
            }
            bytes.append(32)
            column += 1 + EncodedWordEncoder.append(text, start..<end, scheme: scheme, to: &bytes)
            atFieldStart = false
            start = end
        }
    }

    /// Whether unstructured text must be encoded: non-ASCII or control characters, an
    /// "=?" that a reader would take for an encoded-word, leading or trailing space (lost
    /// by unfolding), or a word too long to fold.
    static func unstructuredNeedsEncoding(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if first == 32 || last == 32 { return true }
        var previous: UInt8 = 32
        var word = 0
        for byte in text {
            if byte >= 0x80 || byte < 0x20 || byte == 0x7F { return true }
            if previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?") { return true }
            word = byte == 32 ? 0 : word + 1
            if word > longestPlainWord { return true }
            previous = byte
        }
        return false
    }
}
