import GRDB

/// A message as listed: identity, state and the figures an operator scans for.
public struct MessageSummary: Sendable, Hashable, Codable {
    public let id: Int64
    public let batchID: Int64
    public let key: String?
    public let owner: String
    public let state: String
    public let priority: Int
    public let subject: String
    public let firstRecipient: String?
    public let recipientCount: Int
    public let attempts: Int
    /// Unix milliseconds.
    public let nextAttemptAt: Int64
    public let createdAt: Int64
    public let updatedAt: Int64
    public let finishedAt: Int64?
    public let lastCode: Int?
    public let lastError: String?
    /// Unix milliseconds: not sent before this time (the batch's `notBefore`); nil: none.
    public let notBefore: Int64?
    /// Unix milliseconds: fails as expired when still unsent at this time; nil: none.
    public let expiresAt: Int64?

    static let columns = """
        m.id, m.batch_id, m.message_key, m.owner, m.state, m.priority, m.subject, m.attempts, m.next_attempt_at,
        m.created_at, m.updated_at, m.finished_at, m.last_code, m.last_error, m.not_before, m.expires_at,
        (SELECT address FROM recipient r WHERE r.message_id = m.id ORDER BY r.id LIMIT 1) AS first_recipient,
        (SELECT COUNT(*) FROM recipient r WHERE r.message_id = m.id) AS recipient_count
        """

    package init(
        id: Int64, batchID: Int64, key: String?, owner: String, state: String, priority: Int, subject: String,
        firstRecipient: String?, recipientCount: Int, attempts: Int, nextAttemptAt: Int64, createdAt: Int64, updatedAt: Int64,
        finishedAt: Int64?, lastCode: Int?, lastError: String?, notBefore: Int64?, expiresAt: Int64?
    ) {
        self.id = id
        self.batchID = batchID
        self.key = key
        self.owner = owner
        self.state = state
        self.priority = priority
        self.subject = subject
        self.firstRecipient = firstRecipient
        self.recipientCount = recipientCount
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
        self.lastCode = lastCode
        self.lastError = lastError
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }

    init(row: Row) {
        id = row["id"]
        batchID = row["batch_id"]
        key = row["message_key"]
        owner = row["owner"]
        state = row["state"]
        priority = row["priority"]
        subject = row["subject"]
        firstRecipient = row["first_recipient"]
        recipientCount = row["recipient_count"]
        attempts = row["attempts"]
        nextAttemptAt = row["next_attempt_at"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        finishedAt = row["finished_at"]
        lastCode = row["last_code"]
        lastError = row["last_error"]
        notBefore = row["not_before"]
        expiresAt = row["expires_at"]
    }
}
