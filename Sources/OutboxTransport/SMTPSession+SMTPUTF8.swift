import OutboxCore

/// Internationalised mail (RFC 6531/6532) on a server without SMTPUTF8.
///
/// libcurl adds the `SMTPUTF8` parameter to `MAIL FROM` by itself when the server's EHLO
/// offers it and an envelope address has UTF-8; without the offer it would send the UTF-8
/// address as it is. So the session checks before `MAIL FROM` (the pre-request callback,
/// ``TransferContext/mayStartTransaction()``) and sends nothing that needs SMTPUTF8 to a
/// server that lacks it: such an address fails for good with `smtputf8-unsupported`
/// (5.6.7, RFC 6531 §3.7.4.1), and the message still goes to its other recipients when
/// its headers and sender are ASCII. Messages are never downgraded.
extension SMTPSession {
    /// The reason word an operator finds in the failure.
    public static let smtputf8Unsupported = "smtputf8-unsupported"

    /// True when `message` needs SMTPUTF8: a UTF-8 envelope address or UTF-8 in its header
    /// block (RFC 6532 addresses; display names and subjects are encoded-words, ASCII).
    static func requiresSMTPUTF8(_ message: [UInt8], envelope: SMTPEnvelope) -> Bool {
        envelope.mailFrom?.requiresSMTPUTF8 == true || envelope.recipients.contains(where: \.requiresSMTPUTF8)
            || headerBlockHasUTF8(message)
    }

    /// True when a byte of 0x80 or above comes before the blank line that ends the headers.
    static func headerBlockHasUTF8(_ message: [UInt8]) -> Bool {
        var previousWasLineFeed = false
        for (index, byte) in message.enumerated() {
            if byte >= 0x80 { return true }
            if byte == 0x0A {
                if previousWasLineFeed { return false }
                previousWasLineFeed = true
            } else if byte != 0x0D || index + 1 >= message.count || message[index + 1] != 0x0A {
                previousWasLineFeed = false
            }
        }
        return false
    }

    /// After the pre-request check stopped an attempt (`stopped`, nothing sent): fails the
    /// UTF-8 recipients, and sends to the others when the message itself is ASCII.
    func sendWithoutSMTPUTF8(
        _ message: [UInt8], envelope: SMTPEnvelope, stopped: DeliveryReport, beforeBody: (() -> Bool)?
    ) -> DeliveryReport {
        let refusal = { (what: String) in
            SMTPReply(code: 553, enhancedCode: EnhancedStatusCode(statusClass: 5, subject: 6, detail: 7),
                      lines: ["\(Self.smtputf8Unsupported): \(what), and the server does not offer SMTPUTF8 (RFC 6531); not sent"])
        }
        let ascii = envelope.recipients.filter { !$0.requiresSMTPUTF8 }
        let messageIsASCII = envelope.mailFrom?.requiresSMTPUTF8 != true && !Self.headerBlockHasUTF8(message)
        guard messageIsASCII, !ascii.isEmpty, let rest = try? SMTPEnvelope(mailFrom: envelope.mailFrom, recipients: ascii) else {
            let what = envelope.mailFrom?.requiresSMTPUTF8 == true ? "the envelope sender has a UTF-8 address"
                : messageIsASCII ? "every recipient has a UTF-8 address" : "the headers carry UTF-8 addresses (RFC 6532)"
            let reply = refusal(what)
            return DeliveryReport(
                outcome: .failed(reply), recipients: envelope.recipients.map { RecipientResult(address: $0.address, reply: reply) },
                replies: stopped.replies, transport: stopped.transport, reusedConnection: stopped.reusedConnection)
        }
        context.requiresSMTPUTF8 = false
        let report = attempt(message, envelope: rest, beforeBody: beforeBody)
        var sent = report.recipients[...]
        let recipients = envelope.recipients.map { mailbox in
            mailbox.requiresSMTPUTF8
                ? RecipientResult(address: mailbox.address, reply: refusal("the address is UTF-8"))
                : sent.popFirst() ?? RecipientResult(address: mailbox.address, reply: nil)
        }
        return DeliveryReport(outcome: report.outcome, recipients: recipients, replies: report.replies,
                              transport: report.transport, reusedConnection: report.reusedConnection)
    }
}
