/// The transfer encoding of a text body: `7bit` when the text can travel as it is,
/// `quoted-printable` otherwise.
enum TextBodyEncoding {
    case sevenBit, quotedPrintable

    var name: String { self == .sevenBit ? "7bit" : "quoted-printable" }

    /// `7bit` only for ASCII text without controls, with lines of at most 76 octets, no
    /// whitespace before a line end, no line starting with "." or "From ", and no "=_"
    /// (the prefix of every boundary, so a 7bit body can never contain a delimiter).
    ///
    /// Inside a line, runs of printable ASCII other than "=" (nearly all of a typical text
    /// body) are taken eight bytes at a time; everything else one byte at a time.
    static func choose(for text: UnsafeBufferPointer<UInt8>) -> TextBodyEncoding {
        var column = 0
        var previous: UInt8 = 10
        var i = 0
        let count = text.count
        while i < count {
            if column > 0, previous != UInt8(ascii: "="), i + 8 <= count, let base = text.baseAddress {
                // Up to eight printable ASCII bytes (0x20...0x7E) other than "=": only the column counts.
                let word = ByteLanes.load(base, at: i)
                let plain = ByteLanes.firstLane(ByteLanes.below(0x20, word) | ByteLanes.deleteOrNonASCII(word)
                    | ByteLanes.equal(UInt8(ascii: "="), word))
                if plain > 0 {
                    column += plain
                    if column > 76 { return .quotedPrintable }
                    previous = text[i + plain - 1]
                    i += plain
                    continue
                }
            }
            let byte = text[i]
            switch byte {
            case 10, 13:
                if previous == 32 || previous == 9 { return .quotedPrintable }
                column = 0
            case 32...126, 9:
                if column == 0 && QuotedPrintableEncoder.startsUnsafeLine(text, at: i) { return .quotedPrintable }
                if byte == UInt8(ascii: "_") && previous == UInt8(ascii: "=") { return .quotedPrintable }
                column += 1
                if column > 76 { return .quotedPrintable }
            default:
                return .quotedPrintable
            }
            previous = byte
            i += 1
        }
        return previous == 32 || previous == 9 ? .quotedPrintable : .sevenBit
    }

    /// Appends `text` with every CR, LF and CRLF turned into CRLF (copying the runs between
    /// line breaks whole).
    static func appendNormalizingLineBreaks(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var i = 0, runStart = 0
        let count = text.count
        output.reserveCapacity(output.count + count + count / 32)
        while i < count {
            if i + 8 <= count, let base = text.baseAddress {  // to the next CR or LF, eight bytes at a time
                let word = ByteLanes.load(base, at: i)
                let plain = ByteLanes.firstLane(ByteLanes.equal(10, word) | ByteLanes.equal(13, word))
                i += plain
                if plain == 8 { continue }
            }
            let byte = text[i]
            guard byte == 13 || byte == 10 else {
                i += 1
                continue
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<i]))
            output.append(13)
            output.append(10)
            i += byte == 13 && i + 1 < count && text[i + 1] == 10 ? 2 : 1
            runStart = i
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<count]))
    }
}
