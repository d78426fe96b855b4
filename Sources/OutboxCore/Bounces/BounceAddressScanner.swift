/// Finds mail addresses (`local@domain`) in free text in one linear pass: from every `@`
/// it extends left over local-part characters and right over domain characters, neither
/// of which includes `@`, so no byte is looked at more than twice.
enum BounceAddressScanner {
    /// Addresses in `text` in order of appearance, at most `limit`.
    static func addresses(in text: ArraySlice<UInt8>, limit: Int = 100) -> [String] {
        var found: [String] = []
        var index = text.startIndex
        while index < text.endIndex, found.count < limit {
            if text[index] == UInt8(ascii: "@"), let address = address(around: index, in: text) {
                found.append(address)
            }
            index += 1
        }
        return found
    }

    /// The whole of `text` (after trimming white space, `<>`, quotes and a trailing `:`
    /// or `.`) when it is exactly one address.
    static func exactAddress(_ text: ArraySlice<UInt8>) -> String? {
        var lower = text.startIndex, upper = text.endIndex
        let strip: Set<UInt8> = [
            BounceBytes.space, BounceBytes.tab, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "'"),
            UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: ";"),
        ]
        let quote = UInt8(ascii: "\"")
        while lower < upper, strip.contains(text[lower]) {
            // Keep the opening quote of a quoted local part (`"a..b"@example.org`).
            if text[lower] == quote, let close = text[(lower + 1)..<upper].firstIndex(of: quote),
                close + 1 < upper, text[close + 1] == UInt8(ascii: "@")
            {
                break
            }
            lower += 1
        }
        while upper > lower, strip.contains(text[upper - 1]) || text[upper - 1] == UInt8(ascii: ".") { upper -= 1 }
        if let at = text[lower..<upper].lastIndex(of: UInt8(ascii: "@")) { upper = asciiDomainEnd(text, at: at, end: upper) }
        let core = text[lower..<upper]
        guard core.count <= 320, let at = core.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = core[core.startIndex..<at]
        let isQuoted = local.count >= 2 && local.first == quote && local.last == quote
            && !local.dropFirst().dropLast().contains(quote) && !local.contains(BounceBytes.lf)
        guard at > core.startIndex, isQuoted || local.allSatisfy(isLocal),
            at + 1 < core.endIndex, core[(at + 1)...].allSatisfy(isDomain),
            core[(at + 1)...].contains(UInt8(ascii: "."))
        else { return nil }
        return String(decoding: core, as: UTF8.self)
    }

    private static func address(around at: Int, in text: ArraySlice<UInt8>) -> String? {
        var start = at
        while start > text.startIndex, at - start < 64, isLocal(text[start - 1]) { start -= 1 }
        var end = at + 1
        while end < text.endIndex, end - at < 256, isDomain(text[end]) { end += 1 }
        while start < at, text[start] == UInt8(ascii: ".") || text[start] == UInt8(ascii: "'") { start += 1 }
        end = asciiDomainEnd(text, at: at, end: end)
        while end > at + 1, text[end - 1] == UInt8(ascii: ".") || text[end - 1] == UInt8(ascii: "-") { end -= 1 }
        guard start < at, end > at + 1, text[(at + 1)..<end].contains(UInt8(ascii: ".")) else { return nil }
        return String(decoding: text[start..<end], as: UTF8.self)
    }

    /// Where the domain after `at` ends when text in another script follows an ASCII
    /// domain without a space (`a@example.jp您好`); `end` for an internationalised domain.
    private static func asciiDomainEnd(_ text: ArraySlice<UInt8>, at: Int, end: Int) -> Int {
        var ascii = end
        while ascii > at + 1, text[ascii - 1] >= 0x80 { ascii -= 1 }
        guard ascii < end, ascii > at + 1, text[ascii - 1] != UInt8(ascii: "."),
            let dot = text[(at + 1)..<ascii].lastIndex(of: UInt8(ascii: ".")),
            text[(dot + 1)..<ascii].allSatisfy({ $0 < 0x80 })
        else { return end }
        return ascii
    }

    static func isLocal(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-/=?^_`{|}~.".utf8.contains(byte) || byte >= 0x80
        }
    }

    static func isDomain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            byte >= 0x80
        }
    }
}
