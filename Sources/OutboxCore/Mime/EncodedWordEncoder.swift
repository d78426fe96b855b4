/// RFC 2047 encoded-words in UTF-8 for header text that cannot be written as it is:
/// `=?utf-8?Q?J=C3=BCri?=` or `=?utf-8?B?SsO8cmk=?=`.
///
/// Words hold whole UTF-8 characters only, so each decodes on its own. Q uses only the
/// characters RFC 2047 §5(3) allows in a phrase, so the same words serve Subject and
/// display names.
enum EncodedWordEncoder {
    enum Scheme { case b, q }

    /// `=?utf-8?X?` plus `?=`.
    static let overhead = 12
    /// The longest encoded-word RFC 2047 §2 allows.
    static let maxLength = 75

    /// The scheme that gives the shorter text.
    static func scheme(for text: UnsafeBufferPointer<UInt8>) -> Scheme {
        var qLength = 0
        for byte in text { qLength += qWidth(byte) }
        return qLength <= (text.count + 2) / 3 * 4 ? .q : .b
    }

    /// Characters Q takes for `byte`: 1 for letters, digits, `!*+-/` and space, else 3.
    @inline(__always) static func qWidth(_ byte: UInt8) -> Int {
        isQLiteral(byte) || byte == 32 ? 1 : 3
    }

    @inline(__always) static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    /// The number of bytes of a UTF-8 sequence starting with `lead`.
    @inline(__always) static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// The end of the longest run of whole characters from `start` whose encoded-word
    /// is at most `length` characters long; `start` when not even one fits.
    static func fit(_ text: UnsafeBufferPointer<UInt8>, from start: Int, length: Int, scheme: Scheme) -> Int {
        let room = length - overhead
        guard room > 0 else { return start }
        switch scheme {
        case .b:
            var end = min(text.count, start + room / 4 * 3)
            while end > start && end < text.count && text[end] & 0xC0 == 0x80 { end -= 1 }
            return end
        case .q:
            var end = start
            var used = 0
            while end < text.count {
                let next = min(text.count, end + scalarLength(text[end]))
                var width = 0
                for i in end..<next { width += qWidth(text[i]) }
                if used + width > room { break }
                used += width
                end = next
            }
            return end
        }
    }

    /// Appends one encoded-word for `text[range]` and returns its length.
    @discardableResult
    static func append(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, scheme: Scheme, to output: inout [UInt8]) -> Int {
        let start = output.count
        output.append(contentsOf: scheme == .q ? "=?utf-8?Q?".utf8 : "=?utf-8?B?".utf8)
        switch scheme {
        case .b:
            Base64Encoder.append(UnsafeBufferPointer(rebasing: text[range]), to: &output, lineLength: nil)
        case .q:
            for i in range {
                let byte = text[i]
                if isQLiteral(byte) {
                    output.append(byte)
                } else if byte == 32 {
                    output.append(UInt8(ascii: "_"))
                } else {
                    output.append(UInt8(ascii: "="))
                    output.append(QuotedPrintableEncoder.hexDigit(byte >> 4))
                    output.append(QuotedPrintableEncoder.hexDigit(byte & 0x0F))
                }
            }
        }
        output.append(contentsOf: "?=".utf8)
        return output.count - start
    }
}
