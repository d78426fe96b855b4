import Testing
@testable import OutboxCore

/// The word-at-a-time reading of a text body decides and copies exactly as the rule reads
/// one byte at a time (``reference``), at every alignment and line length around the limits.
@Suite struct TextBodyEncodingTests {
    /// The rule, one byte at a time: 7bit only for printable ASCII and tabs, lines of at most
    /// 76 octets, no whitespace before a line end, no line starting "." or "From ", no "=_".
    static func reference(_ text: [UInt8]) -> TextBodyEncoding {
        var column = 0
        var previous: UInt8 = 10
        for (i, byte) in text.enumerated() {
            switch byte {
            case 10, 13:
                if previous == 32 || previous == 9 { return .quotedPrintable }
                column = 0
            case 32...126, 9:
                if column == 0 && (byte == UInt8(ascii: ".") || text[i...].starts(with: "From ".utf8) && i + 4 < text.count) {
                    return .quotedPrintable
                }
                if byte == UInt8(ascii: "_") && previous == UInt8(ascii: "=") { return .quotedPrintable }
                column += 1
                if column > 76 { return .quotedPrintable }
            default:
                return .quotedPrintable
            }
            previous = byte
        }
        return previous == 32 || previous == 9 ? .quotedPrintable : .sevenBit
    }

    static func normalizedReference(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < text.count {
            if text[i] == 13 || text[i] == 10 {
                out += [13, 10]
                i += text[i] == 13 && i + 1 < text.count && text[i + 1] == 10 ? 2 : 1
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    static let pieces: [String] = [
        "Tere! Arve on lisatud.", " ", "\t", "\n", "\r\n", "\r", "=", "_", "=_", ".", "From ", "From", "x\u{7F}", "ü", "~",
        String(repeating: "a", count: 69), String(repeating: "b", count: 75), String(repeating: "c", count: 77), "\u{0}",
    ]

    @Test func agreesWithTheByteRuleOnGeneratedBodies() {
        var generator = SplitMix64(seed: 15)
        for _ in 0..<4000 {
            var text: [UInt8] = Array(repeating: UInt8(ascii: "x"), count: Int(generator.next() % 9))  // shifts the alignment
            for _ in 0..<Int(generator.next() % 8) { text += Array(Self.pieces[Int(generator.next() % UInt64(Self.pieces.count))].utf8) }
            let (chosen, normalized) = text.withUnsafeBufferPointer { buffer in
                var out: [UInt8] = []
                TextBodyEncoding.appendNormalizingLineBreaks(buffer, to: &out)
                return (TextBodyEncoding.choose(for: buffer), out)
            }
            #expect(chosen == Self.reference(text), "\(text)")
            #expect(normalized == Self.normalizedReference(text), "\(text)")
        }
    }

    @Test(arguments: [76, 77])
    func lineLengthLimitAtEveryAlignment(length: Int) {
        for lead in 0..<8 {
            let text = Array(("x\n" + String(repeating: "x", count: lead) + "\n" + String(repeating: "y", count: length) + "\nend").utf8)
            let chosen = text.withUnsafeBufferPointer { TextBodyEncoding.choose(for: $0) }
            #expect(chosen == (length <= 76 ? .sevenBit : .quotedPrintable))
        }
    }
}
