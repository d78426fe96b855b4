public import OutboxCore

/// The SMTP envelope: the reverse path (`MAIL FROM`, where bounces go; separate from the
/// From header) and the recipients (`RCPT TO`, including Bcc).
public struct SMTPEnvelope: Hashable, Sendable {
    /// The reverse path; nil sends the null reverse path `<>`.
    public let mailFrom: Mailbox?
    /// At least one recipient, in RCPT order.
    public let recipients: [Mailbox]

    /// Throws ``SMTPSessionError/Code/noRecipients`` when `recipients` is empty.
    public init(mailFrom: Mailbox?, recipients: [Mailbox]) throws(SMTPSessionError) {
        guard !recipients.isEmpty else {
            throw SMTPSessionError(.noRecipients, "the envelope has no recipients")
        }
        self.mailFrom = mailFrom
        self.recipients = recipients
    }
}
