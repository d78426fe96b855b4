/// Quoted-printable (RFC 2045 §6.7) for text bodies.
///
/// CR, LF and CRLF in the input are line breaks and become CRLF. Encoded lines are at most
/// 76 characters, continued with a soft break (`=` CRLF). Space and tab before a line end,
/// `=`, controls and non-ASCII bytes are encoded as `=XX`; so are a `.` and the `F` of
/// `From ` at the start of a line, so no transport can stuff, strip or mangle them.
public enum QuotedPrintableEncoder {
    static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The quoted-printable text of `input`; see ``append(_:to:)``.
    public static func encode(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8]()
        input.withUnsafeBufferPointer { append($0, to: &output) }
        return output
    }

    /// Appends the quoted-printable text of `input` to `output`, with no CRLF after the
    /// last line unless the input ends with a line break.
    public static func append(_ input: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        let count = input.count
        guard count > 0 else { return }
        let start = output.count
        // Each byte yields at most 3; every soft break (3 bytes) follows at least 73.
        let bound = 3 * count + 3 * (3 * count / 73 + 1)
        output.append(contentsOf: repeatElement(0, count: bound))
        var o = start
        output.withUnsafeMutableBufferPointer { out in
            hex.withUnsafeBufferPointer { hex in
                var column = 0
                var i = 0
                while i < count {
                    let byte = input[i]
                    if byte == 13 || byte == 10 {
                        out[o] = 13
                        out[o + 1] = 10
                        o += 2
                        column = 0
                        i += byte == 13 && i + 1 < count && input[i + 1] == 10 ? 2 : 1
                        continue
                    }
                    let atLineEnd = i + 1 == count || input[i + 1] == 13 || input[i + 1] == 10
                    var literal: Bool
                    switch byte {
                    case 33...60, 62...126: literal = true
                    case 9, 32: literal = !atLineEnd
                    default: literal = false
                    }
                    // The last token of a line may use column 76; others leave room for "=".
                    if column + (literal ? 1 : 3) > (atLineEnd ? 76 : 75) {
                        out[o] = UInt8(ascii: "=")
                        out[o + 1] = 13
                        out[o + 2] = 10
                        o += 3
                        column = 0
                    }
                    if column == 0 && literal {
                        literal = !startsUnsafeLine(input, at: i)
                    }
                    if literal {
                        out[o] = byte
                        o += 1
                        column += 1
                    } else {
                        out[o] = UInt8(ascii: "=")
                        out[o + 1] = hex[Int(byte >> 4)]
                        out[o + 2] = hex[Int(byte & 0x0F)]
                        o += 3
                        column += 3
                    }
                    i += 1
                }
            }
        }
        output.removeLast(output.count - o)
    }

    /// Whether a line starting at `index` begins with "." or "From ".
    static func startsUnsafeLine(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = input[index]
        if byte == UInt8(ascii: ".") { return true }
        guard byte == UInt8(ascii: "F"), index + 4 < input.count else { return false }
        return input[index + 1] == UInt8(ascii: "r") && input[index + 2] == UInt8(ascii: "o")
            && input[index + 3] == UInt8(ascii: "m") && input[index + 4] == UInt8(ascii: " ")
    }
}
