/// Writes a `DKIM-Signature` field folded at 78 octets (RFC 5322 §2.1.1): between tags,
/// after the colons of the `h=` list and inside the base64 of `b=`, the places where
/// RFC 6376 §3.2 allows folding whitespace.
struct DKIMFieldWriter {
    static let lineLimit = 78

    private(set) var bytes: [UInt8] = Array("DKIM-Signature:".utf8)
    private var column = 15

    /// A whole tag such as `d=example.com;`, after a space or on a new line.
    mutating func tag(_ text: String) {
        let count = text.utf8.count
        if column + 1 + count > Self.lineLimit { fold() } else { append(" ") }
        append(text)
    }

    /// A tag whose value is a list (`h=a:b:c;`), folded after a separator where it must be.
    mutating func list(_ tag: String, _ items: [String], separator: String, terminator: String) {
        for (index, item) in items.enumerated() {
            let token = (index == 0 ? tag : "") + item + (index == items.count - 1 ? terminator : separator)
            if index == 0 {
                self.tag(token)
            } else {
                if column + token.utf8.count > Self.lineLimit { fold() }
                append(token)
            }
        }
    }

    /// Text that may be folded anywhere (base64), filling each line.
    mutating func folded(_ text: [UInt8]) {
        var index = 0
        while index < text.count {
            if column >= Self.lineLimit { fold() }
            let take = min(Self.lineLimit - column, text.count - index)
            bytes.append(contentsOf: text[index..<(index + take)])
            column += take
            index += take
        }
    }

    /// The field with its final CRLF.
    func finish() -> [UInt8] { bytes + [13, 10] }

    private mutating func fold() {
        bytes.append(contentsOf: [13, 10, 32])
        column = 1
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        column += text.utf8.count
    }
}
