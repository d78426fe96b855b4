/// The INI dialect of `outbox.conf`: `[section]`, `key = value`, `#`/`;` comment lines,
/// `#` after whitespace starts a trailing comment, values may be `"quoted"` (with `\"` and `\\`)
/// or `'quoted'` (literal).
enum ConfigurationSyntax {
    /// The entries in file order, and the line each section header is on.
    struct Document: Sendable {
        var entries: [ConfigurationEntry] = []
        var sectionLines: [String: Int] = [:]
    }

    static func parse(_ text: String, file: String) throws(ConfigurationError) -> Document {
        var document = Document()
        var section: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                let name = try sectionName(trimmed, file: file, line: lineNumber)
                section = name
                if document.sectionLines[name] == nil { document.sectionLines[name] = lineNumber }
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(.syntax, file: file, line: lineNumber, reason: "expected 'key = value' or '[section]'")
            }
            let key = trimmed[..<equals].trimmingWhitespace()
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw ConfigurationError(.syntax, file: file, line: lineNumber, reason: "'\(key)' is not a valid key name")
            }
            guard let section else {
                throw ConfigurationError(.keyOutsideSection, file: file, line: lineNumber, reason: "key '\(key)' is not inside a [section]")
            }
            let value = try parseValue(trimmed[trimmed.index(after: equals)...], file: file, line: lineNumber)
            document.entries.append(ConfigurationEntry(section: section, key: String(key), value: value, line: lineNumber))
        }
        return document
    }

    private static func sectionName(_ text: Substring, file: String, line: Int) throws(ConfigurationError) -> String {
        guard let close = text.firstIndex(of: "]") else {
            throw ConfigurationError(.syntax, file: file, line: line, reason: "section header without ']'")
        }
        let rest = text[text.index(after: close)...].trimmingWhitespace()
        guard rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix(";") else {
            throw ConfigurationError(.syntax, file: file, line: line, reason: "unexpected text after section header")
        }
        let name = text[text.index(after: text.startIndex)..<close].trimmingWhitespace()
        guard !name.isEmpty else { throw ConfigurationError(.syntax, file: file, line: line, reason: "empty section name") }
        return String(name)
    }

    private static func parseValue(_ raw: Substring, file: String, line: Int) throws(ConfigurationError) -> String {
        let text = raw.trimmingWhitespace()
        guard let quote = text.first, quote == "\"" || quote == "'" else { return unquoted(text) }
        var value = ""
        var index = text.index(after: text.startIndex)
        var closed = false
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                closed = true
                index = text.index(after: index)
                break
            }
            if quote == "\"" && character == "\\" {
                let next = text.index(after: index)
                guard next < text.endIndex, text[next] == "\"" || text[next] == "\\" else {
                    throw ConfigurationError(.syntax, file: file, line: line, reason: "only \\\" and \\\\ may be escaped in a quoted value")
                }
                value.append(text[next])
                index = text.index(after: next)
                continue
            }
            value.append(character)
            index = text.index(after: index)
        }
        guard closed else { throw ConfigurationError(.syntax, file: file, line: line, reason: "quoted value without closing \(quote)") }
        let rest = text[index...].trimmingWhitespace()
        guard rest.isEmpty || rest.hasPrefix("#") else {
            throw ConfigurationError(.syntax, file: file, line: line, reason: "unexpected text after quoted value")
        }
        return value
    }

    /// An unquoted value ends at `#` preceded by whitespace (a trailing comment).
    private static func unquoted(_ text: Substring) -> String {
        var previous: Character = " "
        for index in text.indices {
            if text[index] == "#" && (previous == " " || previous == "\t") {
                return String(text[..<index].trimmingWhitespace())
            }
            previous = text[index]
        }
        return String(text)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return self[first...last]
    }
}
