/// Content-IDs of inline images (`"cid": "logo"`) and the `cid:` URLs (RFC 2392) an HTML
/// body refers to them by.
///
/// An id is 1 to 128 characters of ASCII letters, digits and `. - _ + =`, with at most one
/// `@` inside (`logo` or `logo.2026@firma.ee`); no dot at either end or twice in a row. That
/// is a subset both of what RFC 5322 allows in `Content-ID: <…>` and of what a URL carries
/// without escaping, so the id in the HTML and in the header are the same text.
public enum ContentID {
    public static let maxLength = 128

    /// Why `id` is not a usable Content-ID, or nil when it is.
    public static func problem(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return "a cid is 1 to \(maxLength) characters" }
        if id.lowercased().hasPrefix("cid:") || bytes.first == UInt8(ascii: "<") {
            return "give the cid without 'cid:' or angle brackets (\"logo\" for src=\"cid:logo\")"
        }
        var ats = 0
        for byte in bytes {
            if byte == UInt8(ascii: "@") { ats += 1; continue }
            guard isIDByte(byte) else {
                return "'\(id)' has a character a cid cannot have: use letters, digits and . - _ + = (and one @)"
            }
        }
        let dot = UInt8(ascii: "."), at = UInt8(ascii: "@")
        if ats > 1 || bytes.first == at || bytes.last == at { return "'\(id)' may have one @, not at either end" }
        if bytes.first == dot || bytes.last == dot || zip(bytes, bytes.dropFirst()).contains(where: { $0 == dot && ($1 == dot || $1 == at) || $0 == at && $1 == dot }) {
            return "'\(id)' has a dot at an end or next to another dot or the @"
        }
        return nil
    }

    /// The ids an HTML body refers to as `cid:ID` in an attribute or CSS `url(…)` (the
    /// `cid:` right after `=`, a quote or `(`), percent-decoded, each once, in order of first use.
    public static func references(in html: String) -> [String] {
        var found: [String] = []
        var html = html
        html.withUTF8 { bytes in
            var index = 0
            while index + 4 <= bytes.count {
                guard bytes[index] | 0x20 == UInt8(ascii: "c"), bytes[index + 1] | 0x20 == UInt8(ascii: "i"),
                    bytes[index + 2] | 0x20 == UInt8(ascii: "d"), bytes[index + 3] == UInt8(ascii: ":"),
                    opensURL(before: index, in: bytes)
                else {
                    index += 1
                    continue
                }
                var end = index + 4
                while end < bytes.count, !endsURL(bytes[end]) { end += 1 }
                let id = percentDecoded(bytes[(index + 4)..<end])
                if !found.contains(id) { found.append(id) }
                index = end
            }
        }
        return found
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "="): true
        default: false
        }
    }

    /// Whether the last non-blank byte before `index` starts a URL value: `=`, a quote or `(`.
    private static func opensURL(before index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous = index - 1
        while previous >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[previous]) { previous -= 1 }
        return previous >= 0 && [UInt8(ascii: "="), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "(")].contains(bytes[previous])
    }

    private static func endsURL(_ byte: UInt8) -> Bool {
        byte <= 0x20 || [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">")].contains(byte)
    }

    private static func percentDecoded(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        var result: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
