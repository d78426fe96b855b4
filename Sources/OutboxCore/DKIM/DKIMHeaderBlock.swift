/// The header fields of a message as byte ranges, and where its body starts: what DKIM
/// selects fields from. Only CRLF ends a line (RFC 5322 §2.1); a line that starts with
/// a space or tab continues the field above it.
struct DKIMHeaderBlock {
    /// One field: its name as written and the range of the whole field, final CRLF excluded.
    struct Field {
        let name: String
        let range: Range<Int>
    }

    let fields: [Field]
    /// The index of the first body byte (after the empty line); `count` when there is no body.
    let bodyStart: Int

    init(_ message: UnsafeBufferPointer<UInt8>) {
        var fields: [Field] = []
        var index = 0
        let count = message.count
        var bodyStart = count
        while index < count {
            // An empty line ends the header.
            if message[index] == 13, index + 1 < count, message[index + 1] == 10 {
                bodyStart = index + 2
                break
            }
            let start = index
            var end = index
            // The field runs to a CRLF not followed by whitespace (a fold continues it).
            while end < count {
                if message[end] == 13, end + 1 < count, message[end + 1] == 10 {
                    let after = end + 2
                    if after < count, message[after] == 32 || message[after] == 9 {
                        end = after
                        continue
                    }
                    break
                }
                end += 1
            }
            var nameEnd = start
            while nameEnd < end, message[nameEnd] != 58 { nameEnd += 1 }
            var name = String(decoding: UnsafeBufferPointer(rebasing: message[start..<nameEnd]), as: UTF8.self)
            while name.last == " " || name.last == "\t" { name.removeLast() }
            fields.append(Field(name: name, range: start..<end))
            index = min(end + 2, count)
        }
        self.fields = fields
        self.bodyStart = bodyStart
    }

    /// The fields named `name` (case-insensitive), top to bottom.
    func fields(named name: String) -> [Field] {
        let lowered = name.lowercased()
        return fields.filter { $0.name.lowercased() == lowered }
    }
}
