public import OutboxCore

/// A message leased to one sender, with everything composing it needs.
public struct ClaimedMessage: Hashable, Sendable {
    public let id: Int64
    public let batchID: Int64
    public let owner: String
    /// The stable token the Message-ID is made from.
    public let token: String
    public let subject: String
    public let textBody: String?
    public let htmlBody: String?
    public let headers: [HeaderField]
    public let recipients: [ClaimedRecipient]
    public let attachments: [MIMEAttachment]
    /// Attempts recorded before this one.
    public let attempts: Int
    /// Enqueue time, Unix milliseconds (the retry policy's give-up age counts from it).
    public let createdAt: Int64
    /// Transactional, invoice or letter; a letter carries List-Unsubscribe.
    public let kind: MessageKind
    /// A letter's unsubscribe token (``OutboxCore/UnsubscribeToken``); nil for other kinds.
    public let unsubscribeToken: String?

    public init(
        id: Int64, batchID: Int64, owner: String, token: String, subject: String, textBody: String?, htmlBody: String?,
        headers: [HeaderField], recipients: [ClaimedRecipient], attachments: [MIMEAttachment], attempts: Int, createdAt: Int64,
        kind: MessageKind = .transactional, unsubscribeToken: String? = nil
    ) {
        self.id = id
        self.batchID = batchID
        self.owner = owner
        self.token = token
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.headers = headers
        self.recipients = recipients
        self.attachments = attachments
        self.attempts = attempts
        self.createdAt = createdAt
        self.kind = kind
        self.unsubscribeToken = unsubscribeToken
    }
}
