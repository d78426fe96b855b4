/// File name parameters (`filename=` on Content-Disposition, `name=` on Content-Type):
/// a quoted-string for short plain ASCII names, otherwise RFC 2231 `name*=utf-8''…`
/// percent-encoding, split into numbered sections (`name*0*=`, `name*1*=`, …) when long.
/// Sections end on whole UTF-8 characters.
extension HeaderWriter {
    /// The longest percent-encoded value put in one section.
    static let sectionLength = 56

    mutating func filenameParameter(_ name: String, _ filename: String) {
        var filename = filename
        filename.withUTF8 { text in
            if Self.isQuotable(text) {
                var quoted = Array(name.utf8)
                quoted.append(contentsOf: "=\"".utf8)
                quoted.append(contentsOf: text)
                quoted.append(UInt8(ascii: "\""))
                parameter(quoted)
                return
            }
            var section = [UInt8]()
            section.reserveCapacity(Self.sectionLength + 16)
            var sections = 0
            var start = 0
            var whole = true
            while start < text.count {
                let end = min(text.count, start + EncodedWordEncoder.scalarLength(text[start]))
                var width = 0
                for i in start..<end { width += Self.isAttributeChar(text[i]) ? 1 : 3 }
                if section.count + width > Self.sectionLength && !section.isEmpty {
                    whole = false
                    writeSection(name, sections, section, first: sections == 0, whole: false)
                    sections += 1
                    section.removeAll(keepingCapacity: true)
                }
                for i in start..<end { Self.appendPercentEncoded(text[i], to: &section) }
                start = end
            }
            writeSection(name, sections, section, first: sections == 0, whole: whole)
        }
    }

    private mutating func writeSection(_ name: String, _ index: Int, _ value: [UInt8], first: Bool, whole: Bool) {
        var text = Array(name.utf8)
        if !whole {
            text.append(UInt8(ascii: "*"))
            text.append(contentsOf: String(index).utf8)
        }
        text.append(contentsOf: "*=".utf8)
        if first { text.append(contentsOf: "utf-8''".utf8) }
        text.append(contentsOf: value)
        parameter(text)
    }

    /// Short printable ASCII without quotes, backslashes or "=?" goes in a quoted-string.
    static func isQuotable(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !text.isEmpty, text.count <= 60 else { return false }
        var previous: UInt8 = 0
        for byte in text {
            if byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            if previous == UInt8(ascii: "=") && byte == UInt8(ascii: "?") { return false }
            previous = byte
        }
        return true
    }

    /// RFC 2231 `attribute-char`: a token character other than `*`, `'` and `%`.
    static func isAttributeChar(_ byte: UInt8) -> Bool {
        MIMEType.isTokenByte(byte) && byte != UInt8(ascii: "*") && byte != UInt8(ascii: "'") && byte != UInt8(ascii: "%")
    }

    static func appendPercentEncoded(_ byte: UInt8, to output: inout [UInt8]) {
        if isAttributeChar(byte) {
            output.append(byte)
        } else {
            output.append(UInt8(ascii: "%"))
            output.append(QuotedPrintableEncoder.hexDigit(byte >> 4))
            output.append(QuotedPrintableEncoder.hexDigit(byte & 0x0F))
        }
    }
}
