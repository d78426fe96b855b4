/// A strict reading of JSON text (RFC 8259) before it is decoded, so nothing the
/// decoder would silently accept or drop gets through: invalid UTF-8, lone surrogates,
/// control characters in strings, trailing commas, duplicate member names (a decoder
/// keeps one of them), nesting deeper than ``maxDepth``. Errors say the line, column and
/// member path, so the user can find the place.
public enum StrictJSON {
    /// How deep objects and arrays may nest.
    public static let maxDepth = 64

    /// One step of a path inside a document: a member name or an array index.
    public enum PathComponent: Hashable, Sendable, CustomStringConvertible {
        case key(String)
        case index(Int)

        public var description: String {
            switch self {
            case .key(let name): name
            case .index(let index): "[\(index)]"
            }
        }

        /// `messages[3].headers` for a list of components.
        public static func text(_ path: some Collection<PathComponent>) -> String? {
            var text = ""
            for component in path {
                switch component {
                case .key(let name): text += text.isEmpty ? name : "." + name
                case .index(let index): text += "[\(index)]"
                }
            }
            return text.isEmpty ? nil : text
        }
    }

    /// Where and why the text is not acceptable JSON.
    public struct Failure: Error, Hashable, Sendable {
        public let line: Int
        public let column: Int
        /// The member path the failure is in (`messages[2].to`), nil at the top level.
        public let path: String?
        public let reason: String
    }

    /// Checks `bytes` as one JSON value. Returns the line each element of the top-level
    /// object's `elementsOf` array starts on (empty when not asked or absent).
    /// - Parameter firstLine: the line number of the first byte (for one line of JSON Lines).
    @discardableResult
    public static func check(_ bytes: UnsafeRawBufferPointer, firstLine: Int = 1, elementsOf: String? = nil) throws(Failure) -> [Int] {
        var scanner = Scanner(bytes: bytes, line: firstLine, recordElementsOf: elementsOf, target: nil)
        try scanner.document()
        return scanner.recordedLines
    }

    /// A member value simple enough to take without a decoder.
    public enum FlatValue: Sendable, Hashable {
        case string(String)
        /// A whole number of at most 15 digits (exact as the `Double` a decoder reads).
        case integer(Int)
        /// A list whose items are strings or objects of string members only.
        case list([FlatItem])
    }

    /// An item of a flat list.
    public enum FlatItem: Sendable, Hashable {
        case string(String)
        case object([String: String])
    }

    /// ``check(_:firstLine:elementsOf:)`` of one JSON object that, in the same pass, also
    /// returns its members when every one is a string, a whole number or a list of strings;
    /// nil when the value is anything else (a decoder then reads it, and reports its errors).
    public static func checkCapturing(_ bytes: UnsafeRawBufferPointer, firstLine: Int = 1) throws(Failure) -> [String: FlatValue]? {
        var scanner = Scanner(bytes: bytes, line: firstLine, recordElementsOf: nil, target: nil)
        scanner.captured = [:]
        try scanner.document()
        return scanner.captured
    }

    /// The line where the value at `path` starts, if the text is valid up to there.
    public static func line(of path: [PathComponent], in bytes: UnsafeRawBufferPointer, firstLine: Int = 1) -> Int? {
        var scanner = Scanner(bytes: bytes, line: firstLine, recordElementsOf: nil, target: path)
        do { try scanner.document() } catch {}
        return scanner.targetLine
    }
}

extension StrictJSON {
    fileprivate struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        var line: Int
        var lineStart = 0
        var path: [PathComponent] = []
        let recordElementsOf: String?
        var recordedLines: [Int] = []
        let target: [PathComponent]?
        var targetLine: Int?
        /// When capturing: the top-level object's members while all are flat, else nil.
        var captured: [String: FlatValue]?

        init(bytes: UnsafeRawBufferPointer, line: Int, recordElementsOf: String?, target: [PathComponent]?) {
            self.bytes = bytes
            self.line = line
            self.recordElementsOf = recordElementsOf
            self.target = target
        }

        mutating func document() throws(Failure) {
            // A UTF-8 byte order mark, as some editors write, is allowed before the value.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3; lineStart = 3 }
            skipSpace()
            guard index < bytes.count else { throw fail("no JSON value") }
            if !peek(UInt8(ascii: "{")) { captured = nil }
            try value(depth: 0)
            skipSpace()
            guard index == bytes.count else { throw fail("unexpected \(describeByte()) after the end of the JSON value") }
        }

        private mutating func value(depth: Int) throws(Failure) {
            if let target, targetLine == nil, path == target { targetLine = line }
            guard index < bytes.count else { throw fail("unexpected end of input, expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string(keepingText: false)
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected \(describeByte()), expected a value")
            }
        }

        private mutating func object(depth: Int) throws(Failure) {
            guard depth <= StrictJSON.maxDepth else { throw fail("objects and lists nest deeper than \(StrictJSON.maxDepth) levels") }
            index += 1
            var seen: [String: Int] = [:]
            skipSpace()
            if peek(UInt8(ascii: "}")) { index += 1; return }
            while true {
                skipSpace()
                guard peek(UInt8(ascii: "\"")) else {
                    throw fail(peek(UInt8(ascii: "}")) ? "trailing comma before '}'" : "unexpected \(describeByte()), expected a member name in double quotes")
                }
                let keyLine = line
                let name = try string(keepingText: true) ?? ""
                if let first = seen[name] {
                    throw fail("member '\(name)' appears twice in one object (first on line \(first)); give it once", component: .key(name))
                }
                seen[name] = keyLine
                skipSpace()
                guard peek(UInt8(ascii: ":")) else { throw fail("unexpected \(describeByte()), expected ':' after member name '\(name)'") }
                index += 1
                skipSpace()
                path.append(.key(name))
                let recording = depth == 1 && name == recordElementsOf && peek(UInt8(ascii: "["))
                if recording {
                    try array(depth: depth + 1, recordingLines: true)
                } else if depth == 1, captured != nil {
                    if let flat = try flatValue(depth: depth) { captured?[name] = flat } else { captured = nil }
                } else {
                    try value(depth: depth)
                }
                path.removeLast()
                skipSpace()
                if peek(UInt8(ascii: ",")) { index += 1; continue }
                if peek(UInt8(ascii: "}")) { index += 1; return }
                throw fail("unexpected \(describeByte()), expected ',' or '}'")
            }
        }

        private mutating func array(depth: Int, recordingLines: Bool = false) throws(Failure) {
            guard depth <= StrictJSON.maxDepth else { throw fail("objects and lists nest deeper than \(StrictJSON.maxDepth) levels") }
            if let target, targetLine == nil, path == target { targetLine = line }
            index += 1
            skipSpace()
            if peek(UInt8(ascii: "]")) { index += 1; return }
            var count = 0
            while true {
                skipSpace()
                if peek(UInt8(ascii: "]")) { throw fail("trailing comma before ']'") }
                if recordingLines { recordedLines.append(line) }
                path.append(.index(count))
                try value(depth: depth)
                path.removeLast()
                count += 1
                skipSpace()
                if peek(UInt8(ascii: ",")) { index += 1; continue }
                if peek(UInt8(ascii: "]")) { index += 1; return }
                throw fail("unexpected \(describeByte()), expected ',' or ']'")
            }
        }

        /// Reads a member value as ``value(depth:)`` does (same checks, same errors) and returns
        /// it when it is flat: a string, a whole number or a list of strings.
        private mutating func flatValue(depth: Int) throws(Failure) -> FlatValue? {
            guard index < bytes.count else { return try flatFallback(depth: depth) }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return .string(try string(keepingText: true) ?? "")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                try number()
                let token = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                let digits = token.first == UInt8(ascii: "-") ? token.count - 1 : token.count
                guard digits <= 15, token.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "-") }),
                    let whole = Int(String(decoding: token, as: UTF8.self))
                else { return nil }
                return .integer(whole)
            case UInt8(ascii: "["):
                let start = (index, line, lineStart)
                if let items = try? flatList() { return .list(items) }
                (index, line, lineStart) = start  // not a flat list: read (and report) it the general way
                return try flatFallback(depth: depth)
            default:
                return try flatFallback(depth: depth)
            }
        }

        /// A list of strings and objects of string members, or nil (or an error) for anything
        /// else; the caller then reads it again the general way.
        private mutating func flatList() throws(Failure) -> [FlatItem]? {
            var items: [FlatItem] = []
            index += 1
            skipSpace()
            if peek(UInt8(ascii: "]")) {
                index += 1
                return items
            }
            while true {
                skipSpace()
                if peek(UInt8(ascii: "\"")) {
                    items.append(.string(try string(keepingText: true) ?? ""))
                } else if peek(UInt8(ascii: "{")) {
                    guard let members = try flatStringObject() else { return nil }
                    items.append(.object(members))
                } else {
                    return nil
                }
                skipSpace()
                if peek(UInt8(ascii: ",")) { index += 1; continue }
                guard peek(UInt8(ascii: "]")) else { return nil }
                index += 1
                return items
            }
        }

        /// `{"name": "text", …}` with string values and no member twice, or nil.
        private mutating func flatStringObject() throws(Failure) -> [String: String]? {
            var members: [String: String] = [:]
            index += 1
            skipSpace()
            if peek(UInt8(ascii: "}")) {
                index += 1
                return members
            }
            while true {
                skipSpace()
                guard peek(UInt8(ascii: "\"")) else { return nil }
                let name = try string(keepingText: true) ?? ""
                skipSpace()
                guard peek(UInt8(ascii: ":")) else { return nil }
                index += 1
                skipSpace()
                guard peek(UInt8(ascii: "\"")), members[name] == nil else { return nil }
                members[name] = try string(keepingText: true) ?? ""
                skipSpace()
                if peek(UInt8(ascii: ",")) { index += 1; continue }
                guard peek(UInt8(ascii: "}")) else { return nil }
                index += 1
                return members
            }
        }

        private mutating func flatFallback(depth: Int) throws(Failure) -> FlatValue? {
            try value(depth: depth)
            return nil
        }

        /// Reads a string, checking escapes and UTF-8; returns its text when asked.
        private mutating func string(keepingText: Bool) throws(Failure) -> String? {
            index += 1
            let start = index
            // Only for text with escapes: the bytes decoded so far, and where the bytes not
            // yet copied into them begin (copied a run at a time, at an escape and at the end).
            var decoded: [UInt8]? = nil
            var pending = start
            while true {
                // Eight bytes at a time up to the first that ends the string, escapes, or needs a closer look.
                if index + 8 <= bytes.count, let base = bytes.baseAddress {
                    let word = ByteLanes.load(base, at: index)
                    let plain = ByteLanes.firstLane(ByteLanes.below(0x20, word) | ByteLanes.nonASCII(word)
                        | ByteLanes.equal(UInt8(ascii: "\""), word) | ByteLanes.equal(UInt8(ascii: "\\"), word))
                    index += plain
                    if plain == 8 { continue }
                }
                guard index < bytes.count else { throw fail("unterminated string") }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    let text: String?
                    if !keepingText {
                        text = nil
                    } else if decoded != nil {
                        append(pending..<index, to: &decoded!)
                        text = String(decoding: decoded!, as: UTF8.self)
                    } else {
                        text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    }
                    index += 1
                    return text
                case UInt8(ascii: "\\"):
                    if keepingText {
                        if decoded == nil { decoded = [] }
                        append(pending..<index, to: &decoded!)
                    }
                    try escape(into: &decoded)
                    pending = index
                case 0..<0x20:
                    throw fail(byte == 0x0A ? "line break inside a string (write it as \\n)" : "control character U+\(hex(UInt32(byte))) inside a string (write it as \\u\(hex(UInt32(byte))))")
                case 0x20..<0x80:
                    index += 1
                default:
                    _ = try utf8Sequence()
                }
            }
        }

        /// Copies `range` of the input to the end of `decoded` (one memcpy).
        private func append(_ range: Range<Int>, to decoded: inout [UInt8]) {
            guard !range.isEmpty, let base = bytes.baseAddress else { return }
            decoded.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + range.lowerBound, count: range.count))
        }

        private mutating func escape(into decoded: inout [UInt8]?) throws(Failure) {
            index += 1
            guard index < bytes.count else { throw fail("unterminated string") }
            if let replacement = Self.simpleEscape(bytes[index]) {
                decoded?.append(replacement)
                index += 1
                return
            }
            guard bytes[index] == UInt8(ascii: "u") else { throw fail("invalid escape '\\\(describeByte(quoted: false))' in a string") }
            index -= 1
            var scalar = try hexEscape()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("lone surrogate \\u\(hex(scalar)) in a string (not a character)")
                }
                let low = try hexEscape()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate \\u\(hex(scalar)) in a string (not a character)") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fail("lone surrogate \\u\(hex(scalar)) in a string (not a character)")
            }
            if decoded != nil, let character = Unicode.Scalar(scalar) { decoded!.append(contentsOf: Array(String(character).utf8)) }
        }

        /// `\"` → `"`, `\n` → LF, …: the byte a one-letter escape stands for, nil for others.
        private static func simpleEscape(_ letter: UInt8) -> UInt8? {
            switch letter {
            case 0x22, 0x5C, 0x2F: letter
            case 0x62: 0x08
            case 0x66: 0x0C
            case 0x6E: 0x0A
            case 0x72: 0x0D
            case 0x74: 0x09
            default: nil
            }
        }

        /// `\uXXXX` at `index` (pointing at the backslash); returns the code unit.
        private mutating func hexEscape() throws(Failure) -> UInt32 {
            guard index + 6 <= bytes.count else { throw fail("incomplete \\u escape in a string") }
            var value: UInt32 = 0
            for offset in 2..<6 {
                let byte = bytes[index + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape in a string (four hex digits expected)")
                }
                value = value << 4 | digit
            }
            index += 6
            return value
        }

        /// Checks one multi-byte UTF-8 sequence at `index` and moves past it; returns its length.
        private mutating func utf8Sequence() throws(Failure) -> Int {
            let lead = bytes[index]
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: throw fail("invalid UTF-8 (byte 0x\(hex(UInt32(lead), digits: 2))); the input must be UTF-8 text")
            }
            guard index + length <= bytes.count else { throw fail("invalid UTF-8 (truncated sequence); the input must be UTF-8 text") }
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else {
                    throw fail("invalid UTF-8 (byte 0x\(hex(UInt32(lead), digits: 2)) not followed by a continuation byte); the input must be UTF-8 text")
                }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            let smallest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard scalar >= smallest, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw fail("invalid UTF-8 (overlong form, surrogate or beyond U+10FFFF); the input must be UTF-8 text")
            }
            index += length
            return length
        }

        private mutating func number() throws(Failure) {
            if peek(UInt8(ascii: "-")) { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { throw fail("invalid number: leading zero") }
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if peek(UInt8(ascii: ".")) {
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number: digits expected after '.'") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
                index += 1
                if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number: digits expected in the exponent") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
        }

        private mutating func literal(_ word: StaticString) throws(Failure) {
            let length = word.utf8CodeUnitCount
            let matches = index + length <= bytes.count && word.withUTF8Buffer { expected in
                (0..<length).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            guard matches else { throw fail("unexpected \(describeByte()), expected a value") }
            index += length
        }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D: index += 1
                case 0x0A:
                    index += 1
                    line += 1
                    lineStart = index
                default: return
                }
            }
        }

        private func peek(_ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        private func describeByte(quoted: Bool = true) -> String {
            guard index < bytes.count else { return "end of input" }
            let byte = bytes[index]
            guard byte >= 0x20, byte < 0x7F else { return "byte 0x\(hex(UInt32(byte), digits: 2))" }
            let text = String(UnicodeScalar(byte))
            return quoted ? "'\(text)'" : text
        }

        private func fail(_ reason: String, component: PathComponent? = nil) -> Failure {
            // Columns count characters, not bytes.
            let end = min(index, bytes.count)
            let column = bytes[lineStart..<max(lineStart, end)].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            return Failure(line: line, column: column, path: PathComponent.text(path + (component.map { [$0] } ?? [])), reason: reason)
        }

        private func hex(_ value: UInt32, digits: Int = 4) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
    }
}
