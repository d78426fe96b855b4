/// Quoted-printable (RFC 2045 §6.7) for text bodies.
///
/// CR, LF and CRLF in the input are line breaks and become CRLF. Encoded lines are at most
/// 76 characters, continued with a soft break (`=` CRLF). Space and tab before a line end,
/// `=`, controls and non-ASCII bytes are encoded as `=XX`; so are a `.` and the `F` of
/// `From ` at the start of a line, so no transport can stuff, strip or mangle them.
public enum QuotedPrintableEncoder {
    /// The quoted-printable text of `input`; see ``append(_:to:)``.
    public static func encode(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8]()
        input.withUnsafeBufferPointer { append($0, to: &output) }
        return output
    }

    /// Appends the quoted-printable text of `input` to `output`, with no CRLF after the
    /// last line unless the input ends with a line break.
    public static func append(_ input: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        // Blocks keep the worst-case room (3 bytes per byte plus soft breaks) small.
        var column = 0
        var i = 0
        while i < input.count {
            let blockEnd = min(input.count, i + 4096)
            let start = output.count
            let bound = 3 * (blockEnd - i) + 3 * ((blockEnd - i) / 24 + 1)
            output.append(contentsOf: repeatElement(0, count: bound))
            let written = output.withUnsafeMutableBufferPointer { buffer in
                encode(input, from: &i, to: blockEnd, column: &column, into: buffer.baseAddress! + start)
            }
            output.removeLast(bound - written)
        }
    }

    /// Encodes `input[index..<end]` (looking ahead past `end`) to `out`, carrying the
    /// output `column` across blocks; advances `index` and returns the bytes written.
    private static func encode(
        _ input: UnsafeBufferPointer<UInt8>, from index: inout Int, to end: Int, column: inout Int,
        into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let count = input.count
        var o = 0
        var i = index
        var col = column
        while i < end {
            let byte = input[i]
            if byte == 13 || byte == 10 {
                out[o] = 13
                out[o + 1] = 10
                o += 2
                col = 0
                i += byte == 13 && i + 1 < count && input[i + 1] == 10 ? 2 : 1
                continue
            }
            let atLineEnd = i + 1 == count || input[i + 1] == 13 || input[i + 1] == 10
            var literal: Bool
            if byte >= 33 && byte <= 126 {
                literal = byte != UInt8(ascii: "=")
            } else {
                literal = (byte == 32 || byte == 9) && !atLineEnd
            }
            // The last token of a line may reach column 76; others leave room for "=".
            if col + (literal ? 1 : 3) > (atLineEnd ? 76 : 75) {
                out[o] = UInt8(ascii: "=")
                out[o + 1] = 13
                out[o + 2] = 10
                o += 3
                col = 0
            }
            if col == 0 && literal {
                literal = !startsUnsafeLine(input, at: i)
            }
            if literal {
                out[o] = byte
                o += 1
                col += 1
            } else {
                out[o] = UInt8(ascii: "=")
                out[o + 1] = hexDigit(byte >> 4)
                out[o + 2] = hexDigit(byte & 0x0F)
                o += 3
                col += 3
            }
            i += 1
        }
        index = i
        column = col
        return o
    }

    /// The uppercase hex digit for a value 0...15.
    @inline(__always) static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? value + 48 : value + 55
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
