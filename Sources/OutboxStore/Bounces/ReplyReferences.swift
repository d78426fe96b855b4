/// The message ids an answer refers to (`In-Reply-To`, `References` of its top-level
/// header): how an auto-reply or a complaint without the returned message names the
/// Outbox message it answers. Reads at most the first 64 KiB.
enum ReplyReferences {
    static func messageIDs(in raw: [UInt8]) -> [String] {
        let head = raw.prefix(64 * 1024)
        var fields: [String] = []
        var current: String?
        var lineStart = head.startIndex
        while lineStart < head.endIndex {
            let lineEnd = head[lineStart...].firstIndex(of: 10) ?? head.endIndex
            var line = head[lineStart..<lineEnd]
            if line.last == 13 { line = line.dropLast() }
            lineStart = lineEnd < head.endIndex ? lineEnd + 1 : lineEnd
            if line.isEmpty { break }
            if line.first == 32 || line.first == 9 {
                current? += " " + String(decoding: line, as: UTF8.self)
                continue
            }
            if let field = current { fields.append(field) }
            current = String(decoding: line, as: UTF8.self)
        }
        if let field = current { fields.append(field) }
        var ids: [String] = []
        for field in fields {
            guard let colon = field.firstIndex(of: ":") else { continue }
            let name = field[..<colon].lowercased()
            guard name == "in-reply-to" || name == "references" else { continue }
            var rest = field[field.index(after: colon)...]
            while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
                let id = String(rest[rest.index(after: open)..<close])
                if !id.isEmpty, !ids.contains(id) { ids.append(id) }
                rest = rest[rest.index(after: close)...]
            }
        }
        return ids
    }
}
