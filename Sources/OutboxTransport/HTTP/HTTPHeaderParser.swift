/// Splits the raw header lines libcurl delivered into the fields of the final response
/// (interim `1xx` responses and the headers of earlier responses are dropped).
enum HTTPHeaderParser {
    static func fields(_ raw: [UInt8]) -> [HTTPResponse.HeaderField] {
        var fields: [HTTPResponse.HeaderField] = []
        let text = String(decoding: raw, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
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
