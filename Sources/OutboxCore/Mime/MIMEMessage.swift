import Foundation

/// Everything ``MIMEComposer`` needs to write one message. Bcc recipients are not part
/// of it: they travel in the envelope only and never appear in headers.
public struct MIMEMessage: Hashable, Sendable {
    /// The author (`From`); in Reply-To mode the company's address.
    public var from: Mailbox
    /// Where replies go (`Reply-To`); omitted when empty.
    public var replyTo: [Mailbox]
    /// Visible recipients; when both `to` and `cc` are empty, `To: undisclosed-recipients:;`.
    public var to: [Mailbox]
    public var cc: [Mailbox]
    /// Any Unicode text; encoded per RFC 2047 when it is not plain ASCII.
    public var subject: String
    /// The text/plain body; line breaks may be LF, CR or CRLF (written as CRLF).
    public var textBody: String?
    /// The text/html body; line breaks as for ``textBody``.
    public var htmlBody: String?
    /// Custom headers, written after the standard ones in this order.
    public var headers: [HeaderField]
    public var attachments: [MIMEAttachment]
    /// The id without angle brackets, e.g. from ``MessageID/make(token:domain:)``.
    /// Bytes that could break the header (controls, space, `<`, `>`, `"`, backslash, non-ASCII) are written as `_`.
    public var messageID: String
    /// The `Date` header, written in UTC to the second.
    public var date: Date

    public init(
        from: Mailbox, replyTo: [Mailbox] = [], to: [Mailbox], cc: [Mailbox] = [],
        subject: String, textBody: String? = nil, htmlBody: String? = nil,
        headers: [HeaderField] = [], attachments: [MIMEAttachment] = [],
        messageID: String, date: Date
    ) {
        self.from = from
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.headers = headers
        self.attachments = attachments
        self.messageID = messageID
        self.date = date
    }
}
