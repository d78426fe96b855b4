/// A `Content-Type` value read leniently: `type/subtype` in lower case and its parameters
/// (names in lower case; quoted strings unquoted). A missing or broken value reads as
/// `text/plain`.
struct BounceContentType: Equatable {
    var type: String
    var subtype: String
    var parameters: [String: String]

    static let textPlain = BounceContentType(type: "text", subtype: "plain", parameters: [:])

    var mediaType: String { type + "/" + subtype }
    var isMultipart: Bool { type == "multipart" }

    init(type: String, subtype: String, parameters: [String: String]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    init(_ value: [UInt8]?) {
        guard let value, !value.isEmpty else {
            self = .textPlain
            return
        }
        var index = value.startIndex
        func skipSpace() { while index < value.endIndex, BounceBytes.isSpace(value[index]) { index += 1 } }
        func token() -> String {
            let start = index
            while index < value.endIndex, !Self.isSeparator(value[index]) { index += 1 }
            return String(decoding: BounceBytes.lowercased(value[start..<index]), as: UTF8.self)
        }
        skipSpace()
        let type = token()
        skipSpace()
        var subtype = ""
        if index < value.endIndex, value[index] == UInt8(ascii: "/") {
            index += 1
            skipSpace()
            subtype = token()
        }
        guard !type.isEmpty, !subtype.isEmpty else {
            self = .textPlain
            return
        }
        var parameters: [String: String] = [:]
        while index < value.endIndex, parameters.count < 64 {
            // Advance to the next ';'.
            while index < value.endIndex, value[index] != UInt8(ascii: ";") { index += 1 }
            guard index < value.endIndex else { break }
            index += 1
            skipSpace()
            var name = token()
            skipSpace()
            guard index < value.endIndex, value[index] == UInt8(ascii: "=") else { continue }
            index += 1
            skipSpace()
            var text: String
            if index < value.endIndex, value[index] == UInt8(ascii: "\"") {
                index += 1
                var bytes: [UInt8] = []
                while index < value.endIndex, value[index] != UInt8(ascii: "\"") {
                    if value[index] == UInt8(ascii: "\\"), index + 1 < value.endIndex { index += 1 }
                    bytes.append(value[index])
                    index += 1
                }
                if index < value.endIndex { index += 1 }
                text = String(decoding: bytes, as: UTF8.self)
            } else {
                let start = index
                while index < value.endIndex, value[index] != UInt8(ascii: ";"), !BounceBytes.isSpace(value[index]) {
                    index += 1
                }
                text = String(decoding: value[start..<index], as: UTF8.self)
            }
            // RFC 2231: `name*=charset'lang'value` and first continuation `name*0=`.
            if name.hasSuffix("*0*") || name.hasSuffix("*0") || name.hasSuffix("*") {
                let extended = name.hasSuffix("*")
                while let last = name.last, last == "*" || last == "0" { name.removeLast() }
                if extended, let quote = text.lastIndex(of: "'") { text = String(text[text.index(after: quote)...]) }
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = text }
        }
        self.init(type: type, subtype: subtype, parameters: parameters)
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        BounceBytes.isSpace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ";")
            || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "(")
    }
}
