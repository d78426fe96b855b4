/// Splits the raw header lines libcurl delivered into the fields of the final response
/// (interim `1xx` responses and the headers of earlier responses are dropped).
enum HTTPHeaderParser {
    static func fields(_ raw: [UInt8]) -> [HTTPResponse.HeaderField] {
        var fields: [HTTPResponse.HeaderField] = []
        // Split on bytes: in a Swift String, CR LF is one Character and never equals "\n".
        for bytes in raw.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let line = String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes, as: UTF8.self)
            let trimmed = line[...]
            if trimmed.hasPrefix("HTTP/") {
                fields.removeAll()  // a new status line: the fields so far belonged to another response
                continue
            }
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let name = trimmed[..<colon].trimmingSpaces, value = trimmed[trimmed.index(after: colon)...].trimmingSpaces
            guard !name.isEmpty else { continue }
            fields.append(HTTPResponse.HeaderField(name: name, value: value))
        }
        return fields
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
