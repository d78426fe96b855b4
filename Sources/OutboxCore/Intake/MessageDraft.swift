/// A validated message ready to be stored: who owns it and what it says. The sender
/// (profile, From, envelope) is resolved from the owner when the message is sent.
public struct MessageDraft: Hashable, Sendable {
    /// Idempotency key; enqueueing a message with a key already in the outbox is a no-op.
    public var key: String?
    public var owner: String
    /// Higher is sent first; default 0.
    public var priority: Int
    public var subject: String
    public var textBody: String?
    public var htmlBody: String?
    public var headers: [HeaderField]
    public var recipients: [Recipient]
    /// Attachments, then the inline images (those with a ``AttachmentSource/contentID``).
    public var attachments: [AttachmentSource]
    /// Whether the recipient may unsubscribe (a `letter`) and whether it may carry List-Unsubscribe.
    public var kind: MessageKind
    /// Unix milliseconds: the message is not claimed before this time.
    public var notBefore: Int64?
    /// Unix milliseconds: a message still unsent at this time fails as `expired`.
    public var expiresAt: Int64?

    public init(
        key: String? = nil, owner: String, priority: Int = 0, subject: String,
        textBody: String?, htmlBody: String? = nil, headers: [HeaderField] = [],
        recipients: [Recipient], attachments: [AttachmentSource] = [], kind: MessageKind = .transactional, notBefore: Int64? = nil, expiresAt: Int64? = nil
    ) {
        self.key = key
        self.owner = owner
        self.priority = priority
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.headers = headers
        self.recipients = recipients
        self.attachments = attachments
        self.kind = kind
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }
}
