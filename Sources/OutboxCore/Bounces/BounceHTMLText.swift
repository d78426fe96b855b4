/// Crude HTML-to-text for notices sent only as HTML: tags dropped (block tags become line
/// breaks), the common entities decoded. Linear, never longer than the input.
enum BounceHTMLText {
    static func text(_ html: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(html.count)
        var index = html.startIndex
        while index < html.endIndex {
            let byte = html[index]
            if byte == UInt8(ascii: "<"), index + 1 < html.endIndex,
                BounceBytes.lower(html[index + 1]) >= UInt8(ascii: "a") && BounceBytes.lower(html[index + 1]) <= UInt8(ascii: "z")
                    || html[index + 1] == UInt8(ascii: "/") || html[index + 1] == UInt8(ascii: "!")
            {
                let close = html[index...].firstIndex(of: UInt8(ascii: ">")) ?? html.endIndex
                let name = BounceBytes.lowercased(html[(index + 1)..<min(close, index + 6)].prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: ">") })
                let tag = String(decoding: name.filter { $0 != UInt8(ascii: "/") }, as: UTF8.self)
                if ["br", "p", "div", "tr", "li", "h1", "h2", "h3", "table"].contains(tag) { output.append(BounceBytes.lf) }
                index = close < html.endIndex ? close + 1 : close
                continue
            }
            if byte == UInt8(ascii: "&") {
                let entities: [(String, UInt8)] = [
                    ("&lt;", UInt8(ascii: "<")), ("&gt;", UInt8(ascii: ">")), ("&amp;", UInt8(ascii: "&")),
                    ("&nbsp;", BounceBytes.space), ("&quot;", UInt8(ascii: "\"")), ("&#64;", UInt8(ascii: "@")),
                    ("&#39;", UInt8(ascii: "'")),
                ]
                if let (entity, value) = entities.first(where: { BounceBytes.hasPrefix($0.0, html[index...]) }) {
                    output.append(value)
                    index += entity.utf8.count
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }
}
