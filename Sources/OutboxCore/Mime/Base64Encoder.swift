/// Base64 (RFC 4648 §4) for MIME: optionally wrapped into CRLF-separated lines of at
/// most 76 characters (RFC 2045 §6.8).
public enum Base64Encoder {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The number of bytes ``append(_:to:lineLength:)`` writes for `count` input bytes.
    public static func encodedLength(count: Int, lineLength: Int? = 76) -> Int {
        let characters = (count + 2) / 3 * 4
        guard let lineLength, characters > 0 else { return characters }
        let lines = (characters + lineLength - 1) / lineLength
        return characters + 2 * (lines - 1)
    }

    /// The base64 text of `input`; see ``append(_:to:lineLength:)``.
    public static func encode(_ input: [UInt8], lineLength: Int? = nil) -> [UInt8] {
        var output = [UInt8]()
        input.withUnsafeBufferPointer { append($0, to: &output, lineLength: lineLength) }
        return output
    }

    /// Appends the base64 text of `input` to `output`. With a `lineLength` (a positive
    /// multiple of 4), lines are separated by CRLF; no CRLF follows the last line.
    public static func append(_ input: UnsafeBufferPointer<UInt8>, to output: inout [UInt8], lineLength: Int? = 76) {
        let count = input.count
        guard count > 0 else { return }
        precondition(lineLength.map { $0 > 0 && $0 % 4 == 0 } ?? true, "base64 line length must be a positive multiple of 4")
        let start = output.count
        let total = encodedLength(count: count, lineLength: lineLength)
        output.append(contentsOf: repeatElement(0, count: total))
        let groupsPerLine = (lineLength ?? Int.max) / 4
        output.withUnsafeMutableBufferPointer { out in
            alphabet.withUnsafeBufferPointer { table in
                var o = start
                var i = 0
                var groups = 0
                while i + 3 <= count {
                    if groups == groupsPerLine {
                        out[o] = 13
                        out[o + 1] = 10
                        o += 2
                        groups = 0
                    }
                    let b0 = input[i], b1 = input[i + 1], b2 = input[i + 2]
                    out[o] = table[Int(b0 >> 2)]
                    out[o + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                    out[o + 2] = table[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                    out[o + 3] = table[Int(b2 & 0x3F)]
                    o += 4
                    i += 3
                    groups += 1
                }
                let rest = count - i
                guard rest > 0 else { return }
                if groups == groupsPerLine {
                    out[o] = 13
                    out[o + 1] = 10
                    o += 2
                }
                let b0 = input[i]
                let b1 = rest == 2 ? input[i + 1] : 0
                out[o] = table[Int(b0 >> 2)]
                out[o + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                out[o + 2] = rest == 2 ? table[Int((b1 & 0x0F) << 2)] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
            }
        }
    }
}
