/// Assembles server reply lines (`250-first`, `250 last`) into ``SMTPReply`` values.
///
/// Feed it every line the server sent, in order; a reply comes out when its last line
/// (code followed by a space, or the bare code) arrives. Lines that are not SMTP reply
/// lines are skipped. Line length is capped so a hostile server cannot grow memory.
public struct SMTPReplyReader: Sendable {
    /// Longest line text kept, in UTF-8 bytes; the rest of a longer line is dropped.
    public static let maximumLineLength = 512
    /// Most lines kept per reply (EHLO answers have about a dozen).
    public static let maximumLinesPerReply = 64

    private var pendingCode: Int?
    private var pendingLines: [ArraySlice<UInt8>] = []

    public init() {}

    /// Consumes one line (with or without its CRLF); returns a reply when it is complete.
    public mutating func consume(line: some Collection<UInt8>) -> SMTPReply? {
        consume(bytes: Array(line.prefix(Self.maximumLineLength + 4)))
    }

    /// ``consume(line:)`` for bytes already in an array (not generic: no specialisation
    /// needed across modules).
    public mutating func consume(bytes line: [UInt8]) -> SMTPReply? {
        var end = min(line.count, Self.maximumLineLength + 4)
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        guard end >= 3, (0x32...0x35).contains(line[0]), (0x30...0x39).contains(line[1]),
            (0x30...0x39).contains(line[2])
        else { return nil }
        let code = Int(line[0] - 0x30) * 100 + Int(line[1] - 0x30) * 10 + Int(line[2] - 0x30)
        let separator = end > 3 ? line[3] : 0x20
        if pendingCode != code { pendingLines.removeAll() }
        pendingCode = code
        if pendingLines.count < Self.maximumLinesPerReply { pendingLines.append(line[min(4, end)..<end]) }
        guard separator != UInt8(ascii: "-") else { return nil }
        defer {
            pendingCode = nil
            pendingLines.removeAll()
        }
        return Self.reply(code: code, lineBytes: pendingLines)
    }

    /// Makes a reply from its code and line texts, splitting off the enhanced status code.
    public static func reply(code: Int, lines: [String]) -> SMTPReply {
        reply(code: code, lineBytes: lines.map { ArraySlice($0.utf8) })
    }

    private static func reply(code: Int, lineBytes: [ArraySlice<UInt8>]) -> SMTPReply {
        guard let first = lineBytes.first else { return SMTPReply(code: code) }
        let token = first.prefix { $0 != UInt8(ascii: " ") }
        guard !token.isEmpty, let enhanced = EnhancedStatusCode(ascii: token), enhanced.statusClass == code / 100 else {
            return SMTPReply(code: code, lines: lineBytes.map { String(decoding: $0, as: UTF8.self) })
        }
        let stripped = lineBytes.map { line -> String in
            guard line.starts(with: token) else { return String(decoding: line, as: UTF8.self) }
            return String(decoding: line.dropFirst(token.count).drop { $0 == UInt8(ascii: " ") }, as: UTF8.self)
        }
        return SMTPReply(code: code, enhancedCode: enhanced, lines: stripped)
    }
}
