public import OutboxCore

/// Who a posted message is from and for: the JSON shape's address fields, and in
/// ``HTTPMailFormat/rawMIME`` the `X-Outbox-Envelope-*` headers. Bcc (and an archive copy)
/// go here only, never into the message's headers.
public struct HTTPMailEnvelope: Hashable, Sendable {
    public let from: Mailbox
    public let to: [Mailbox]
    public let cc: [Mailbox]
    public let bcc: [Mailbox]
    public let replyTo: [Mailbox]
    /// The subject as text (not RFC 2047-encoded).
    public let subject: String

    public init(from: Mailbox, to: [Mailbox], cc: [Mailbox] = [], bcc: [Mailbox] = [], replyTo: [Mailbox] = [], subject: String) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
    }

    /// Every recipient, in order to, cc, bcc.
    public var recipients: [Mailbox] { to + cc + bcc }
}
