/// A phrase with a few wildcards, matched against lowercased, whitespace-collapsed
/// diagnostic text: the small subset of regular expressions that bounce-reason tables need,
/// compiled once into byte pieces and matched without a regex engine.
///
/// Syntax: literal text, plus `*` (one to 256 characters other than a space, `[^ ]+`), `#`
/// (one to 256 digits), `…` (one or more characters of any kind, `.+`), a leading `^`
/// (the text starts here) and a trailing `$` (the text ends here). `\` makes the next
/// character literal. Everything else is compared byte for byte (patterns are lowercase).
struct BounceReasonPattern: Sendable, CustomStringConvertible {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case word, digits, any
    }

    let description: String
    let pieces: [Piece]
    let anchoredStart: Bool
    let anchoredEnd: Bool
    /// More than one wildcard: failed states are remembered so that hostile text cannot make
    /// the search polynomial in more than the text's length squared.
    let needsMemo: Bool

    init(_ source: String) {
        description = source
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        var scalars = Array(source.unicodeScalars)[...]
        var anchoredStart = false
        var anchoredEnd = false
        if scalars.first == "^" {
            anchoredStart = true
            scalars = scalars.dropFirst()
        }
        if scalars.last == "$", scalars.dropLast().last != "\\" {
            anchoredEnd = true
            scalars = scalars.dropLast()
        }
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = []
        }
        var escaped = false
        for scalar in scalars {
            if escaped {
                literal.append(contentsOf: Array(String(scalar).utf8))
                escaped = false
                continue
            }
            switch scalar {
            case "\\": escaped = true
            case "*": flush(); pieces.append(.word)
            case "#": flush(); pieces.append(.digits)
            case "…": flush(); pieces.append(.any)
            default: literal.append(contentsOf: Array(String(scalar).utf8))
            }
        }
        flush()
        self.pieces = pieces
        needsMemo = pieces.filter { if case .literal = $0 { false } else { true } }.count > 1
        self.anchoredStart = anchoredStart
        self.anchoredEnd = anchoredEnd
    }

    /// Whether the pattern occurs anywhere in `text` (lowercased bytes).
    func matches(_ text: [UInt8]) -> Bool {
        var failed = Set<Int>()
        return matches(text, failed: &failed)
    }

    private func matches(_ text: [UInt8], failed: inout Set<Int>) -> Bool {
        guard let first = pieces.first else { return true }
        if anchoredStart { return match(0, at: 0, in: text, failed: &failed) }
        if case .literal(let bytes) = first {
            var from = 0
            while let hit = Self.find(bytes, in: text, from: from) {
                if match(1, at: hit + bytes.count, in: text, failed: &failed) { return true }
                from = hit + 1
            }
            return false
        }
        // A leading wildcard matches from some position only if it matches from the start of
        // that run of accepted bytes: trying run starts alone keeps this linear.
        for start in 0..<text.count where start == 0 || !Self.accepts(first, text[start - 1]) {
            if match(0, at: start, in: text, failed: &failed) { return true }
        }
        return false
    }

    /// `*` and `#` stand for a token (a host, an address, a number): longer runs are not
    /// followed, which bounds the search on hostile text.
    static let maxRun = 256

    private static func accepts(_ piece: Piece, _ byte: UInt8) -> Bool {
        switch piece {
        case .word: byte != 0x20
        case .digits: byte >= 0x30 && byte <= 0x39
        case .any: true
        case .literal: false
        }
    }

    private func match(_ index: Int, at position: Int, in text: [UInt8], failed: inout Set<Int>) -> Bool {
        guard index < pieces.count else { return !anchoredEnd || position == text.count }
        let state = index * (text.count + 1) + position
        if needsMemo, failed.contains(state) { return false }
        let found: Bool
        switch pieces[index] {
        case .literal(let bytes):
            found = Self.hasPrefix(bytes, in: text, at: position)
                && match(index + 1, at: position + bytes.count, in: text, failed: &failed)
        case let piece:
            var end = position
            var any = false
            let limit = piece == .any ? text.count : min(text.count, position + Self.maxRun)
            while !any, end < limit, Self.accepts(piece, text[end]) {
                end += 1
                any = match(index + 1, at: end, in: text, failed: &failed)
            }
            found = any
        }
        if needsMemo, !found { failed.insert(state) }
        return found
    }

    /// The first index of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard let first = needle.first, haystack.count - from >= needle.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, hasPrefix(needle, in: haystack, at: index) { return index }
            index += 1
        }
        return nil
    }

    static func hasPrefix(_ needle: [UInt8], in haystack: [UInt8], at position: Int) -> Bool {
        guard position + needle.count <= haystack.count else { return false }
        var offset = 0
        while offset < needle.count {
            if haystack[position + offset] != needle[offset] { return false }
            offset += 1
        }
        return true
    }
}

/// A list of patterns that matches when any of them does.
struct BounceReasonPhrases: Sendable {
    let patterns: [BounceReasonPattern]

    init(_ sources: [String]) {
        patterns = sources.map(BounceReasonPattern.init)
    }

    func matches(_ text: [UInt8]) -> Bool {
        patterns.contains { $0.matches(text) }
    }
}
