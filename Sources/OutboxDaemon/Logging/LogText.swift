import Foundation

/// The escaping of a stderr log line, byte by byte: the message with its line feeds as `\n`,
/// a metadata value quoted when it is empty or holds a space, quote, `=` or line break.
///
/// The result is exactly what Foundation's `replacingOccurrences(of:with:)` and a search by
/// `Character` give; a special character with a non-ASCII neighbour (which may combine with
/// it into another character) takes that slower path itself, so the two never differ.
enum LogText {
    /// Appends `message` with every line feed written as `\n`.
    static func appendEscapingLineFeeds(_ message: String, to bytes: inout [UInt8]) {
        var message = message
        let done = message.withUTF8 { text -> Bool in
            guard isPlain(text, special: { $0 == 10 }) else { return false }
            for byte in text {
                if byte == 10 { bytes.append(92); bytes.append(UInt8(ascii: "n")) } else { bytes.append(byte) }
            }
            return true
        }
        if !done { bytes.append(contentsOf: message.replacingOccurrences(of: "\n", with: "\\n").utf8) }
    }

    /// Appends `value`, in double quotes with `\`, `"`, LF and CR escaped when it is empty
    /// or contains a space, `"`, `=` or a line break; as it is otherwise.
    static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        var value = value
        let done = value.withUTF8 { text -> Bool in
            guard isPlain(text, special: isSpecial) else { return false }
            guard text.isEmpty || text.contains(where: needsQuotes) else {
                bytes.append(contentsOf: text)
                return true
            }
            bytes.append(34)
            for byte in text {
                switch byte {
                case 92: bytes.append(92); bytes.append(92)
                case 34: bytes.append(92); bytes.append(34)
                case 10: bytes.append(92); bytes.append(UInt8(ascii: "n"))
                case 13: bytes.append(92); bytes.append(UInt8(ascii: "r"))
                default: bytes.append(byte)
                }
            }
            bytes.append(34)
            return true
        }
        if !done { bytes.append(contentsOf: quotedByCharacters(value).utf8) }
    }

    /// The same as ``appendQuoted(_:to:)``, by `Character` and Foundation (any text).
    static func quotedByCharacters(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "\"" + escaped + "\""
    }

    /// Bytes that decide quoting or are escaped: space, `"`, `=`, `\`, and the ASCII line breaks.
    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 34 || byte == 61 || byte == 92 || (10...13).contains(byte)
    }

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 34 || byte == 61 || (10...13).contains(byte)
    }

    /// Whether every special byte stands between ASCII bytes (or at an end), and the text has
    /// no non-ASCII line break (U+0085, U+2028, U+2029): then bytes and characters agree.
    private static func isPlain(_ text: UnsafeBufferPointer<UInt8>, special: (UInt8) -> Bool) -> Bool {
        let count = text.count
        for i in 0..<count {
            let byte = text[i]
            if byte == 0xC2 && i + 1 < count && text[i + 1] == 0x85 { return false }
            if byte == 0xE2 && i + 2 < count && text[i + 1] == 0x80 && (text[i + 2] == 0xA8 || text[i + 2] == 0xA9) { return false }
            guard special(byte) else { continue }
            if i > 0 && text[i - 1] >= 0x80 { return false }
            if i + 1 < count && text[i + 1] >= 0x80 { return false }
        }
        return true
    }
}
