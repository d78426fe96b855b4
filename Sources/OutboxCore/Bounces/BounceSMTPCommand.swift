// Where each MTA writes the failing command follows Sisimai 4.25.15's Lhost modules
// (Postfix, Sendmail, V5sendmail, Exim, qmail, X3, X4, Courier, IMailServer, InterScanMSS,
// GMX, MailRu, MXLogic, EinsUndEins, Yahoo), BSD-2-Clause, Copyright (C) 2014-2021
// azumakuniyuki.

/// The SMTP command a remote server's failing reply answered, read from the words the
/// reporting MTA writes around the reply: one of `CONN` (the greeting), `EHLO`, `HELO`,
/// `MAIL`, `RCPT`, `DATA`.
///
/// A refusal at `RCPT` concerns the recipient; the same words at another step (the
/// sender, the connection, the content) do not say the mailbox is dead.
enum BounceSMTPCommand {
    static let connect = "CONN", ehlo = "EHLO", helo = "HELO", mail = "MAIL", rcpt = "RCPT", data = "DATA"

    /// The command `text` names as the one that failed, or `nil`.
    static func command(in text: String) -> String? {
        command(inNormalised: BounceReasonInput.normalised(text))
    }

    /// The same, for text already lowercased with its whitespace collapsed. A quoted
    /// session (`>>> RCPT To:<a@b>` … `>>> DATA`) failed at the last command sent.
    static func command(inNormalised text: [UInt8]) -> String? {
        if let named = phrases.first(where: { $0.0.matches(text) })?.1 { return named }
        return lastSent(in: text)
    }

    /// Fixed phrases of the reporting MTAs, each naming one step.
    static let phrases: [(BounceReasonPhrases, String)] = [
        (BounceReasonPhrases([
            // Postfix (the parenthesis may fold onto the next line), Exim, LMTP.
            "in reply to rcpt to", "rcpt to command)", "after rcpt to", "lmtp error after rcpt",
            // qmail, indimail, X4.
            "does not like recipient.", "most progress was rcpt",
            // X3: `SMTP:RCPT host 192.0.2.8: 553 …`; GMX: `SMTP error from … after RCPT command:`.
            "smtp:rcpt host", "rcpt command:",
            // Yahoo; IMail; Office 365.
            "[rcpt_to]", "additional rcpt to generated following response:", "unknown recipient or mailbox unavailable ->",
        ]), rcpt),
        (BounceReasonPhrases([
            "in reply to mail from", "mail from command)", "after mail from", "most progress was mail",
            "but sender was rejected.", "smtp:mail host", "server response to mail from:", "[mail_from]",
        ]), mail),
        (BounceReasonPhrases([
            "in reply to end of data", "in reply to data", "data command)", "after end of data", "after data",
            "lmtp error after end of data", "failed on data command.", "failed after i sent the message.",
            "smtp:data host", "data command generated response:", "for text command", "most progress was data",
        ]), data),
        (BounceReasonPhrases(["in reply to ehlo", "after ehlo", "unexpected response to ehlo/helo:", "most progress was ehlo"]), ehlo),
        (BounceReasonPhrases([
            "in reply to helo", "after helo", "refused to talk to me:", "but my name was rejected.", "most progress was helo",
        ]), helo),
        (BounceReasonPhrases([
            "after initial connection", "but greeting failed.", "smtp connection failed,",
            "unexpected connection response from server:",
        ]), connect),
    ]

    static let sentMarkers = [Array(">>> ".utf8), Array("sent <<< ".utf8)]

    /// The command of the last `>>> ` (Sendmail, Courier) or `Sent <<< ` (InterScan) line.
    static func lastSent(in text: [UInt8]) -> String? {
        var found: String?
        for marker in sentMarkers {
            var from = 0
            while let hit = BounceBytes.find(marker, in: text[...], from: from) {
                from = hit + marker.count
                if let name = name(at: from, in: text) { found = name }
            }
        }
        return found
    }

    /// The command word at `index`: four letters followed by a space, a colon or the end.
    static func name(at index: Int, in text: [UInt8]) -> String? {
        guard index + 4 <= text.count else { return nil }
        let word = text[index..<(index + 4)]
        guard word.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }),
            index + 4 == text.count || text[index + 4] == 0x20 || text[index + 4] == UInt8(ascii: ":")
        else { return nil }
        let upper = String(decoding: word.map { $0 & 0xDF }, as: UTF8.self)
        return known.contains(upper) ? upper : nil
    }

    static let known: Set<String> = [ehlo, helo, mail, rcpt, data, "QUIT", "RSET", "AUTH"]
}
