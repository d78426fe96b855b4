/// Byte-level helpers for the bounce parser: ASCII case folding, bounded substring search,
/// line splitting and lossy text decoding. Everything here is linear in its input.
enum BounceBytes {
    static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    static func isSpace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == cr || byte == lf }

    static func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] { bytes.map(lower) }

    /// The first index at or after `from` where `pattern` (already lower-case) occurs in
    /// `haystack`, comparing ASCII letters without case. O(n·m) with short patterns.
    static func find(_ pattern: [UInt8], in haystack: ArraySlice<UInt8>, from: Int? = nil) -> Int? {
        guard let first = pattern.first else { return from ?? haystack.startIndex }
        let start = max(from ?? haystack.startIndex, haystack.startIndex)
        let last = haystack.endIndex - pattern.count
        guard start <= last else { return nil }
        // The first byte in both cases, compared without a call per byte (debug builds
        // do not inline it, and this loop is most of the parser's time).
        let firstUpper = first >= 0x61 && first <= 0x7A ? first - 0x20 : first
        var index = start
        while index <= last {
            let byte = haystack[index]
            if byte == first || byte == firstUpper {
                var matched = 1
                while matched < pattern.count, lower(haystack[index + matched]) == pattern[matched] { matched += 1 }
                if matched == pattern.count { return index }
            }
            index += 1
        }
        return nil
    }

    static func contains(_ pattern: String, in haystack: ArraySlice<UInt8>) -> Bool {
        find(Array(pattern.lowercased().utf8), in: haystack) != nil
    }

    /// Whether `text` contains `pattern` (ASCII letters compared without case); a byte
    /// search, much cheaper than `String.contains`.
    static func contains(_ pattern: String, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { find(Array(pattern.lowercased().utf8), in: ArraySlice($0)) != nil }
    }

    static func hasPrefix(_ pattern: String, _ bytes: ArraySlice<UInt8>) -> Bool {
        let lowered = Array(pattern.lowercased().utf8)
        guard bytes.count >= lowered.count else { return false }
        return zip(bytes, lowered).allSatisfy { lower($0) == $1 }
    }

    /// Line ranges without their CR/LF terminators; a lone CR is not a line break.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == lf {
                let end = index > start && bytes[index - 1] == cr ? index - 1 : index
                result.append(start..<end)
                start = index + 1
            }
            index += 1
        }
        if start < bytes.endIndex { result.append(start..<bytes.endIndex) }
        return result
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lower = bytes.startIndex, upper = bytes.endIndex
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return bytes[lower..<upper]
    }

    /// Text from bytes in `charset`: ISO-8859-1/Windows-1252/US-ASCII map byte for byte,
    /// everything else is read as UTF-8 with invalid sequences replaced.
    static func string(_ bytes: ArraySlice<UInt8>, charset: String? = nil) -> String {
        switch charset?.lowercased() {
        case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "iso-8859-15":
            var text = String()
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Collapses runs of white space (including folded line breaks) to one space and trims.
    static func collapsed(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
