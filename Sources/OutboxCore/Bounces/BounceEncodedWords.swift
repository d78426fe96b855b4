/// RFC 2047 encoded-word decoding (`=?charset?B|Q?text?=`) for header values of bounces
/// and returned messages. Undecodable words stay as written; white space between two
/// adjacent encoded words is dropped, as the RFC says.
enum BounceEncodedWords {
    static func decode(_ value: String) -> String {
        guard BounceBytes.contains("=?", in: value) else { return value }
        let bytes = Array(value.utf8)
        var output: [UInt8] = []
        var index = 0
        var pendingSpace: [UInt8] = []
        var lastWasWord = false
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?"),
                let (decoded, end) = word(bytes, at: index)
            {
                if !lastWasWord { output.append(contentsOf: pendingSpace) }
                pendingSpace = []
                output.append(contentsOf: decoded)
                index = end
                lastWasWord = true
                continue
            }
            let byte = bytes[index]
            if byte == BounceBytes.space || byte == BounceBytes.tab {
                pendingSpace.append(byte)
            } else {
                output.append(contentsOf: pendingSpace)
                pendingSpace = []
                output.append(byte)
                lastWasWord = false
            }
            index += 1
        }
        output.append(contentsOf: pendingSpace)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes the encoded word starting at `start` into UTF-8, returning it and the index
    /// after its closing `?=`, or nil when it is not a well-formed word.
    private static func word(_ bytes: [UInt8], at start: Int) -> ([UInt8], Int)? {
        let question = UInt8(ascii: "?")
        // =?charset?E?text?=  — find three '?' within a bounded span (75 per RFC, be lenient).
        let limit = min(bytes.count, start + 200)
        var marks: [Int] = []
        var index = start + 2
        while index < limit, marks.count < 2 {
            if bytes[index] == question { marks.append(index) }
            if BounceBytes.isSpace(bytes[index]) { return nil }
            index += 1
        }
        guard marks.count == 2, marks[1] == marks[0] + 2 else { return nil }
        var end = marks[1] + 1
        while end + 1 < limit, !(bytes[end] == question && bytes[end + 1] == UInt8(ascii: "=")) {
            if bytes[end] == BounceBytes.space || bytes[end] == BounceBytes.tab { return nil }
            end += 1
        }
        guard end + 1 < limit else { return nil }
        var charset = String(decoding: bytes[(start + 2)..<marks[0]], as: UTF8.self).lowercased()
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let text = bytes[(marks[1] + 1)..<end]
        let raw: [UInt8]
        switch BounceBytes.lower(bytes[marks[0] + 1]) {
        case UInt8(ascii: "b"): raw = BounceTransferDecoder.base64(text)
        case UInt8(ascii: "q"): raw = BounceTransferDecoder.quotedPrintable(text, underscoreIsSpace: true)
        default: return nil
        }
        let decoded = Array(BounceBytes.string(raw[...], charset: charset).utf8)
        return (decoded, end + 2)
    }
}
