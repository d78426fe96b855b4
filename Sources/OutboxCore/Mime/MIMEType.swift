/// Media types for attachments.
public enum MIMEType {
    /// The fallback for unknown content.
    public static let octetStream = "application/octet-stream"

    /// The media type for a file name's extension (case-insensitive), e.g.
    /// `"Arve_2026.pdf"` → `"application/pdf"`; `application/octet-stream` when unknown.
    public static func forFilename(_ filename: String) -> String {
        guard let dot = filename.utf8.lastIndex(of: UInt8(ascii: ".")) else { return octetStream }
        let ext = filename.utf8[filename.utf8.index(after: dot)...]
        guard (1...5).contains(ext.count) else { return octetStream }
        switch String(decoding: ext.map { $0 | 0x20 }, as: UTF8.self) {  // ASCII lowercase; non-letters never match
        case "pdf": return "application/pdf"
        case "xml": return "application/xml"
        case "csv": return "text/csv"
        case "txt": return "text/plain"
        case "html", "htm": return "text/html"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "zip": return "application/zip"
        case "json": return "application/json"
        case "ics": return "text/calendar"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "odt": return "application/vnd.oasis.opendocument.text"
        case "ods": return "application/vnd.oasis.opendocument.spreadsheet"
        case "asice", "bdoc": return "application/vnd.etsi.asic-e+zip"
        default: return octetStream
        }
    }

    /// Whether `value` is a usable `type/subtype` (RFC 2045 tokens), optionally followed by
    /// `;` parameters, in at most 200 characters of printable ASCII.
    static func isValid(_ value: String) -> Bool {
        guard value.utf8.count <= 200 else { return false }
        var slashes = 0
        var typeLength = 0
        var subtypeLength = 0
        var inParameters = false
        for byte in value.utf8 {
            guard byte >= 0x20 && byte < 0x7F else { return false }
            if inParameters { continue }
            if byte == UInt8(ascii: ";") {
                inParameters = true
            } else if byte == UInt8(ascii: "/") {
                slashes += 1
            } else if isTokenByte(byte) {
                if slashes == 0 { typeLength += 1 } else { subtypeLength += 1 }
            } else {
                return false
            }
        }
        return slashes == 1 && typeLength > 0 && subtypeLength > 0
    }

    /// RFC 2045 `token` characters: printable ASCII except space and tspecials.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains(byte)
    }
}
