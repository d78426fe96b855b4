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
    private var pendingLines: [String] = []

    public init() {}

    /// Consumes one line (with or without its CRLF); returns a reply when it is complete.
    public mutating func consume(line: some Collection<UInt8>) -> SMTPReply? {
        consume(bytes: Array(line.prefix(Self.maximumLineLength + 4)))
    }

    /// ``consume(line:)`` for bytes already in an array (not generic: no specialisation
    /// needed across modules).
    public mutating func consume(bytes line: [UInt8]) -> SMTPReply? {
        var bytes = line.count > Self.maximumLineLength + 4 ? Array(line.prefix(Self.maximumLineLength + 4)) : line
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
            (0x32...0x35).contains(bytes[0])
        else { return nil }
        let code = Int(bytes[0] - 0x30) * 100 + Int(bytes[1] - 0x30) * 10 + Int(bytes[2] - 0x30)
        let separator = bytes.count > 3 ? bytes[3] : 0x20
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        if pendingCode != code { pendingLines.removeAll() }
        pendingCode = code
        if pendingLines.count < Self.maximumLinesPerReply { pendingLines.append(text) }
        guard separator != UInt8(ascii: "-") else { return nil }
        defer {
            pendingCode = nil
            pendingLines.removeAll()
        }
        return Self.reply(code: code, lines: pendingLines)
    }

    /// Makes a reply from its code and line texts, splitting off the enhanced status code.
    public static func reply(code: Int, lines: [String]) -> SMTPReply {
        guard let first = lines.first else { return SMTPReply(code: code) }
        let token = first.prefix { $0 != " " }
        guard let enhanced = EnhancedStatusCode(token), enhanced.statusClass == code / 100 else {
            return SMTPReply(code: code, lines: lines)
        }
        let prefix = String(token)
        let stripped = lines.map { line in
            line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count).drop { $0 == " " }) : line
        }
        return SMTPReply(code: code, enhancedCode: enhanced, lines: stripped)
    }
}
