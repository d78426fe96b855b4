import GRDB

/// One entry of the event log.
public struct EventRecord: Sendable, Hashable, Codable {
    public let id: Int64
    /// Unix milliseconds.
    public let at: Int64
    public let kind: String
    public let messageID: Int64?
    public let batchID: Int64?
    public let owner: String?
    public let recipient: String?
    public let code: Int?
    public let enhancedCode: String?
    public let detail: String?
    /// Bounce and complaint events: the ``OutboxCore/BounceReason`` (`mailboxfull`, …).
    public let reason: String?
    /// Bounce events: `hard` or `soft`.
    public let severity: String?

    package init(
        id: Int64, at: Int64, kind: String, messageID: Int64?, batchID: Int64?, owner: String?, recipient: String?, code: Int?,
        enhancedCode: String?, detail: String?, reason: String?, severity: String?
    ) {
        self.id = id
        self.at = at
        self.kind = kind
        self.messageID = messageID
        self.batchID = batchID
        self.owner = owner
        self.recipient = recipient
        self.code = code
        self.enhancedCode = enhancedCode
        self.detail = detail
        self.reason = reason
        self.severity = severity
    }

    init(row: Row) {
        id = row["id"]
        at = row["at"]
        kind = row["kind"]
        messageID = row["message_id"]
        batchID = row["batch_id"]
        owner = row["owner"]
        recipient = row["recipient"]
        code = row["code"]
        enhancedCode = row["enhanced_code"]
        detail = row["detail"]
        reason = row["reason"]
        severity = row["severity"]
    }
}
