import Foundation
import GRDB

/// The JSON body of one webhook delivery: one event of the log, with the keys the
/// application knows the message by. `id` is the event's id: the same event delivered
/// twice (delivery is at-least-once) has the same id, so receivers dedupe by it.
public struct WebhookEvent: Sendable, Hashable, Encodable {
    public let id: Int64
    public let kind: String
    /// RFC 3339, UTC, with milliseconds.
    public let time: String
    public let messageId: Int64?
    /// The application's own key of the message and of its batch.
    public let messageKey: String?
    public let batchKey: String?
    public let owner: String?
    public let recipient: String?
    /// Bounce, complaint and expiry events: the reason (`userunknown`, `expired`, …).
    public let reason: String?
    public let code: Int?
    public let enhancedCode: String?
    public let detail: String?

    /// Columns of `event e` joined with `message m` and `batch b`.
    static let columns = """
        e.id, e.kind, e.at, e.message_id, m.message_key, b.batch_key, e.owner, e.recipient, e.reason, e.code, e.enhanced_code, e.detail
        """

    init(row: Row) {
        id = row["id"]
        kind = row["kind"]
        time = OutboxDatabase.rfc3339(row["at"])
        messageId = row["message_id"]
        messageKey = row["message_key"]
        batchKey = row["batch_key"]
        owner = row["owner"]
        recipient = row["recipient"]
        reason = row["reason"]
        code = row["code"]
        enhancedCode = row["enhanced_code"]
        detail = row["detail"]
    }

    /// An event of another store's log (`at`: Unix milliseconds).
    package init(id: Int64, kind: String, at: Int64, messageId: Int64?, messageKey: String?, batchKey: String?, owner: String?, recipient: String?,
                 reason: String?, code: Int?, enhancedCode: String?, detail: String?) {
        self.id = id
        self.kind = kind
        time = OutboxDatabase.rfc3339(at)
        self.messageId = messageId
        self.messageKey = messageKey
        self.batchKey = batchKey
        self.owner = owner
        self.recipient = recipient
        self.reason = reason
        self.code = code
        self.enhancedCode = enhancedCode
        self.detail = detail
    }
}

/// A due delivery, ready to send: where, with which secret, and what.
public struct WebhookDispatch: Sendable {
    public let deliveryID: Int64
    public let endpointID: Int64
    public let url: String
    /// Plain `http://` to a host that is not loopback, allowed by the operator.
    public let allowsPlainHTTP: Bool
    /// The opened signing secret; nil with ``secretProblem`` when it does not open.
    public let secret: String?
    public let secretProblem: String?
    /// Attempts made before this one.
    public let attempts: Int
    /// When the delivery was scheduled (Unix milliseconds): retries are bounded from here.
    public let createdAt: Int64
    /// Nil when the event was purged from the log meanwhile.
    public let event: WebhookEvent?
}

/// How one attempt of a delivery ended, as the store records it.
public enum WebhookOutcome: Sendable, Hashable {
    case delivered
    /// Try again at this time (Unix milliseconds).
    case retry(at: Int64)
    /// Given up: the delivery is `failed`.
    case failed
}

extension WebhookDispatch {
    /// A due delivery of another store, its secret opened (or why not) with `vault`.
    package init(deliveryID: Int64, endpointID: Int64, url: String, allowsPlainHTTP: Bool, sealedSecret: [UInt8], vault: SecretVault?,
                 attempts: Int, createdAt: Int64, event: WebhookEvent?) {
        let opened = vault.map { WebhookSecrets.open(Data(sealedSecret), endpointID: endpointID, vault: $0) }
            ?? (nil, "no secrets key to open the signing secret with (systemd credential secrets-key or $OUTBOX_SECRETS_KEY_FILE)")
        self.init(deliveryID: deliveryID, endpointID: endpointID, url: url, allowsPlainHTTP: allowsPlainHTTP, secret: opened.secret,
                  secretProblem: opened.problem, attempts: attempts, createdAt: createdAt, event: event)
    }
}
