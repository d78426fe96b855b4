/// What the classifier reads about one failed recipient, prepared once: the diagnostic
/// lowercased with its whitespace collapsed, the status and reply code (from the report or
/// the text), the SMTP command the failure answered, and where the report came from.
struct BounceReasonInput: Sendable {
    /// The SMTP step a failure answered, as far as the diagnostic tells.
    enum Command: Sendable {
        case connect, helo, mail, rcpt, data
    }

    /// Lowercased diagnostic, runs of whitespace collapsed to one space, trimmed.
    var text: [UInt8]
    /// Per reason: not yet looked at (-1), its wording absent (0) or present (1).
    private var wording = [Int8](repeating: -1, count: BounceReason.allCases.count)
    var status: EnhancedStatusCode?
    var replyCode: Int?
    var command: Command?
    var format: BounceFormat
    var action: BounceAction
    /// The host that refused (Remote-MTA), lowercased.
    var remoteHost: String?
    /// The recipient's domain, lowercased.
    var destination: String?
    /// The report was written by Microsoft's cloud (Exchange Online / Office 365).
    var isMicrosoftReport: Bool
    /// The report was written by Outlook.com / Hotmail.
    var isHotmailReport: Bool

    init(recipient: BounceRecipient, report: BounceReport) {
        let diagnostic = recipient.diagnosticCode ?? ""
        var text = Self.normalised(diagnostic)
        // A specific code in the remote server's own words beats the report's summary.
        var status = recipient.status
        let found = Self.quotedStatus(in: diagnostic) ?? BounceStatusText.enhancedStatus(in: diagnostic)
        if report.format != .rfc3464, found == nil {
            // A notice without any code: the parser's status is a guess from the same words.
            status = nil
        }
        if let found, found.statusClass != 2,
            (1...9).contains(found.subject) && (1...9).contains(found.detail)
                || (status.map { $0.subject == 0 } ?? true) && found.subject != 0
        {
            status = found
        }
        self.status = status
        let reply = recipient.smtpReplyCode ?? BounceStatusText.replyCode(in: diagnostic)
        replyCode = reply
        if let reply { text = Self.withoutContinuations(text, reply: reply, status: found) }
        self.text = text
        command = Self.command(in: text)
        format = report.format
        action = recipient.action
        remoteHost = recipient.remoteMTA.map { $0.lowercased() } ?? Self.host(in: text)
        let address = recipient.finalRecipient
        destination = address.lastIndex(of: "@").map { String(address[address.index(after: $0)...]).lowercased() }
        let reporting = (report.reportingMTA ?? "").lowercased()
        isMicrosoftReport = reporting.hasSuffix(".outlook.com") || reporting.hasSuffix(".office365.com")
            || reporting.hasSuffix(".exchangelabs.com")
        isHotmailReport = reporting.hasSuffix(".hotmail.com") || reporting == "hotmail.com"
    }

    /// Diagnostics are read up to this length: replies are short, and the bound keeps the
    /// phrase search linear in a bounded input whatever a hostile report holds.
    static let maxTextBytes = 4_096

    /// Whether the diagnostic carries wording of `reason` (``BounceReasonPhraseTable``),
    /// each reason's phrases searched at most once.
    mutating func says(_ reason: BounceReason) -> Bool {
        let slot = Self.slots[reason] ?? 0
        if wording[slot] < 0 { wording[slot] = BounceReasonPhraseTable.matches(reason, text) ? 1 : 0 }
        return wording[slot] == 1
    }

    private static let slots: [BounceReason: Int] = Dictionary(
        uniqueKeysWithValues: BounceReason.allCases.enumerated().map { ($1, $0) })

    /// Text prepared for the phrase tables: ASCII lowercased, whitespace collapsed.
    static func normalised(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(text.utf8.count, maxTextBytes))
        var pendingSpace = false
        for byte in text.utf8 where bytes.count < maxTextBytes {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace { bytes.append(0x20) }
            pendingSpace = false
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return bytes
    }

    /// A multi-line reply repeats its code on every line (`550-5.7.1 … 550-5.7.1 …`): those
    /// repetitions inside the text are removed so that phrases spanning lines match.
    static func withoutContinuations(_ text: [UInt8], reply: Int, status: EnhancedStatusCode?) -> [UInt8] {
        let code = Array(String(reply).utf8)
        guard code.count == 3 else { return text }
        let statusBytes = status.map { Array("\($0)".utf8) } ?? []
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        var removed = 0
        var seen = false
        while index < text.count {
            // `550-`, or `550 ` followed by the status, after a space: a continuation line's code.
            if index > 0, text[index - 1] == 0x20, BounceReasonPattern.hasPrefix(code, in: text, at: index),
                index + 3 < text.count, text[index + 3] == UInt8(ascii: "-") || text[index + 3] == 0x20
            {
                var end = index + 4
                let withStatus = !statusBytes.isEmpty && BounceReasonPattern.hasPrefix(statusBytes, in: text, at: end)
                if withStatus {
                    end += statusBytes.count
                    if end < text.count, text[end] == 0x20 { end += 1 }
                }
                if seen, withStatus || text[index + 3] == UInt8(ascii: "-") {
                    removed += 1
                    index = end
                    continue
                }
            }
            if BounceReasonPattern.hasPrefix(code, in: text, at: index) { seen = true }
            output.append(text[index])
            index += 1
        }
        return removed > 0 ? output : text
    }

    /// A code quoted inside a generic one (`5.1.0 - Unknown address error 550-'5.7.1 …'`,
    /// Amazon SES): the quoted code is the remote server's.
    static func quotedStatus(in diagnostic: String) -> EnhancedStatusCode? {
        guard let quote = diagnostic.firstIndex(where: { $0 == "'" || $0 == "\"" }),
            let code = BounceStatusText.enhancedStatus(in: String(diagnostic[diagnostic.index(after: quote)...].prefix(16))),
            let outer = BounceStatusText.enhancedStatus(in: String(diagnostic[..<quote])),
            outer.detail == 0, outer.subject <= 1
        else { return nil }
        return code
    }

    /// The host named in a notice such as `host mx.example.net [192.0.2.1] said:`.
    static func host(in text: [UInt8]) -> String? {
        guard let hit = BounceReasonPattern.find(Array("host ".utf8), in: text) else { return nil }
        if hit > 0, text[hit - 1] != 0x20, text[hit - 1] != UInt8(ascii: ":") { return nil }
        let name = text[(hit + 5)...].prefix { $0 != 0x20 && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: ":") }
        guard name.contains(UInt8(ascii: ".")), name.count < 256 else { return nil }
        var host = String(decoding: name, as: UTF8.self)
        while host.hasSuffix(".") { host.removeLast() }
        return host
    }

    static let commandPhrases: [(BounceReasonPhrases, Command)] = [
        (BounceReasonPhrases([
            "in reply to rcpt to command", "after rcpt", "rcpt to command)", ">>> rcpt to", "does not like recipient.", "[rcpt_to]",
        ]), .rcpt),
        (BounceReasonPhrases(["in reply to mail from command", "after mail from", ">>> mail from", "but sender was rejected."]),
            .mail),
        (BounceReasonPhrases([
            "in reply to end of data command", "in reply to data command", "after end of data", "after data",
            ">>> data", "failed on data command.", "failed after i sent the message.",
        ]), .data),
        (BounceReasonPhrases([
            "in reply to ehlo command", "in reply to helo command", "after ehlo", "after helo", "refused to talk to me:",
            "but my name was rejected.",
        ]), .helo),
        (BounceReasonPhrases(["after initial connection", "but greeting failed."]), .connect),
    ]

    static func command(in text: [UInt8]) -> Command? {
        commandPhrases.first { $0.0.matches(text) }?.1
    }
}
