import Foundation
import GRDB
import OutboxCore

/// Webhook endpoints as operators manage them (`outbox webhooks add|list|remove|deliveries`).
extension OutboxDatabase {
    /// Registers `url` for `events` (of `owner`, or of every owner) with `secret` sealed
    /// like profile secrets. It is told about events from now on: its cursor starts at the
    /// newest event. `events` are checked by the caller against ``WebhookEndpoint/knownEvents``.
    public func addWebhook(url: String, events: [String], owner: String?, allowsPlainHTTP: Bool = false, secret: String, now: Int64) throws -> WebhookEndpoint {
        return try pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_endpoint (url, events, owner, allow_http, secret_sealed, cursor, created_at)
                VALUES (?, ?, ?, ?, x'', (SELECT coalesce(max(id), 0) FROM event), ?)
                """, arguments: [url, events.joined(separator: ","), owner, allowsPlainHTTP, now])
            let id = db.lastInsertedRowID
            try db.execute(sql: "UPDATE webhook_endpoint SET secret_sealed = ? WHERE id = ?",
                           arguments: [try seal(secret, db, owner: Self.webhookSecretOwner(id), field: .webhookSecret), id])
            return try Self.webhookEndpoints(db, id: id)[0]
        }
    }

    /// Every endpoint, with its count of pending and failed deliveries.
    public func webhooks() throws -> [WebhookEndpoint] {
        try pool.read { db in try Self.webhookEndpoints(db, id: nil) }
    }

    /// Removes an endpoint with its deliveries; false when there is none with `id`.
    public func removeWebhook(id: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_endpoint WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Deliveries, newest first, with their attempts: of one endpoint or all, only the
    /// given-up ones with `failedOnly`.
    public func webhookDeliveries(endpointID: Int64?, failedOnly: Bool, limit: Int) throws -> [WebhookDeliveryInfo] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.*, e.kind FROM webhook_delivery d LEFT JOIN event e ON e.id = d.event_id
                WHERE (?1 IS NULL OR d.endpoint_id = ?1) AND (?2 = 0 OR d.state = 'failed')
                ORDER BY d.id DESC LIMIT ?3
                """, arguments: [endpointID, failedOnly, limit])
            return try rows.map { row in
                let id: Int64 = row["id"], state: String = row["state"]
                let history = try Row.fetchAll(db, sql: "SELECT at, status, latency_ms, error FROM webhook_attempt WHERE delivery_id = ? ORDER BY id",
                                               arguments: [id]).map {
                    WebhookAttempt(at: $0["at"], status: $0["status"], latencyMilliseconds: $0["latency_ms"], error: $0["error"])
                }
                return WebhookDeliveryInfo(
                    id: id, endpointID: row["endpoint_id"], eventID: row["event_id"], eventKind: row["kind"], state: state,
                    attempts: row["attempts"], nextAttemptAt: state == "pending" ? row["next_attempt_at"] : nil,
                    lastStatus: row["last_status"], lastError: row["last_error"], createdAt: row["created_at"],
                    finishedAt: row["finished_at"], history: history)
            }
        }
    }

    package static func webhookSecretOwner(_ id: Int64) -> String { "webhook-\(id)" }

    /// `outbox purge`: deliveries finished (delivered or given up) before `cutoff` go, with their attempts.
    static func purgeWebhookDeliveries(_ db: Database, finishedBefore cutoff: Int64) throws {
        try db.execute(sql: "DELETE FROM webhook_delivery WHERE state <> 'pending' AND finished_at < ?", arguments: [cutoff])
    }

    private static func webhookEndpoints(_ db: Database, id: Int64?) throws -> [WebhookEndpoint] {
        try Row.fetchAll(db, sql: """
            SELECT w.id, w.url, w.events, w.owner, w.allow_http, w.created_at,
                (SELECT count(*) FROM webhook_delivery d WHERE d.endpoint_id = w.id AND d.state = 'pending') AS pending,
                (SELECT count(*) FROM webhook_delivery d WHERE d.endpoint_id = w.id AND d.state = 'failed') AS failed
            FROM webhook_endpoint w WHERE ?1 IS NULL OR w.id = ?1 ORDER BY w.id
            """, arguments: [id]).map(WebhookEndpoint.init(row:))
    }

    /// Key rotation: every webhook secret opened with `oldKey` and sealed to `newKey`.
    static func resealWebhookSecrets(_ db: Database, from oldKey: SecretKey, to newKey: SecretPublicKey) throws {
        for row in try Row.fetchAll(db, sql: "SELECT id, secret_sealed FROM webhook_endpoint") {
            let id: Int64 = row["id"]
            let context = SecretContext(owner: webhookSecretOwner(id), field: .webhookSecret)
            let value = try SealedSecret.open(row["secret_sealed"], with: oldKey, context: context)
            try db.execute(sql: "UPDATE webhook_endpoint SET secret_sealed = ? WHERE id = ?",
                           arguments: [try SealedSecret.seal(value, to: newKey, context: context), id])
        }
    }
}
