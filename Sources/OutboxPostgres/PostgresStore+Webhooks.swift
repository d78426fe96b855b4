import Foundation
public import OutboxStore
import PostgresNIO

/// Webhook endpoints on PostgreSQL, as `OutboxDatabase+Webhooks` keeps them on SQLite:
/// `outbox webhooks add|list|remove|deliveries` print the same on both stores.
extension PostgresStore: WebhookStore {
    /// As on SQLite: the cursor starts at the newest event, and the secret is sealed to the
    /// public key published in `setting`, read `FOR SHARE` so a secrets key rotation waits
    /// for this insert and reseals it. With none published yet, this process's key
    /// (``OutboxStore/SecretKeySource/resolve(sharedStoreEnvironment:)``) is published; a
    /// process without one is refused (`outbox secrets init` makes the nodes' key).
    public func addWebhook(url: String, events: [String], owner: String?, allowsPlainHTTP: Bool, secret: String, now: Int64) async throws -> WebhookEndpoint {
        let logger = logger
        let vault = SecretVault(source: .resolve(sharedStoreEnvironment: ProcessInfo.processInfo.environment))
        let id = try await transaction { connection -> Int64 in
            let key = try await PostgresProfileStore.sealingKey(connection, logger: logger, secrets: vault)
            var id: Int64 = 0
            for try await value in try await connection.query("""
                INSERT INTO webhook_endpoint (url, events, owner, allow_http, secret_sealed, cursor, created_at)
                VALUES (\(url), \(events.joined(separator: ",")), \(owner), \(allowsPlainHTTP ? 1 : 0), ''::bytea,
                    (SELECT coalesce(max(id), 0) FROM event), \(now))
                RETURNING id
                """, logger: logger).decode(Int64.self) { id = value }
            let sealed = try WebhookSecrets.seal(secret, endpointID: id, to: key)
            try await connection.query("UPDATE webhook_endpoint SET secret_sealed = \(sealed) WHERE id = \(id)", logger: logger)
            return id
        }
        guard let endpoint = try await webhookEndpoints(id: id).first else {
            throw StoreError(.invalidState, "webhook \(id) was removed while it was being added")
        }
        return endpoint
    }

    public func webhooks() async throws -> [WebhookEndpoint] {
        try await webhookEndpoints(id: nil)
    }

    public func removeWebhook(id: Int64) async throws -> Bool {
        var removed = false
        for try await _ in try await client.query("DELETE FROM webhook_endpoint WHERE id = \(id) RETURNING 1", logger: logger).decode(Int.self) {
            removed = true
        }
        return removed
    }

    public func webhookDeliveries(endpointID: Int64?, failedOnly: Bool, limit: Int) async throws -> [WebhookDeliveryInfo] {
        let logger = logger
        // One snapshot for the deliveries and their attempts.
        return try await transaction { connection in
            var rows: [(Int64, Int64, Int64, String?, String, Int, Int64, Int?, String?, Int64, Int64?)] = []
            for try await row in try await connection.query("""
                SELECT d.id, d.endpoint_id, d.event_id, e.kind, d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_error,
                    d.created_at, d.finished_at
                FROM webhook_delivery d LEFT JOIN event e ON e.id = d.event_id
                WHERE (\(endpointID)::bigint IS NULL OR d.endpoint_id = \(endpointID)) AND (NOT \(failedOnly) OR d.state = 'failed')
                ORDER BY d.id DESC LIMIT \(limit)
                """, logger: logger).decode((Int64, Int64, Int64, String?, String, Int, Int64, Int?, String?, Int64, Int64?).self) {
                rows.append(row)
            }
            var history: [Int64: [WebhookAttempt]] = [:]
            for try await (delivery, at, status, latency, error) in try await connection.query("""
                SELECT delivery_id, at, status, latency_ms, error FROM webhook_attempt WHERE delivery_id = ANY(\(rows.map(\.0))) ORDER BY id
                """, logger: logger).decode((Int64, Int64, Int?, Int64, String?).self) {
                history[delivery, default: []].append(WebhookAttempt(at: at, status: status, latency: latency, error: error))
            }
            return rows.map {
                WebhookDeliveryInfo(id: $0.0, endpointID: $0.1, eventID: $0.2, eventKind: $0.3, state: $0.4, attempts: $0.5, nextAttemptAt: $0.6,
                                    lastStatus: $0.7, lastError: $0.8, createdAt: $0.9, finishedAt: $0.10, history: history[$0.0] ?? [])
            }
        }
    }

    private func webhookEndpoints(id: Int64?) async throws -> [WebhookEndpoint] {
        var endpoints: [WebhookEndpoint] = []
        for try await row in try await client.query("""
            SELECT w.id, w.url, w.events, w.owner, w.allow_http <> 0, w.created_at,
                (SELECT count(*) FROM webhook_delivery d WHERE d.endpoint_id = w.id AND d.state = 'pending')::bigint,
                (SELECT count(*) FROM webhook_delivery d WHERE d.endpoint_id = w.id AND d.state = 'failed')::bigint
            FROM webhook_endpoint w WHERE \(id)::bigint IS NULL OR w.id = \(id) ORDER BY w.id
            """, logger: logger).decode((Int64, String, String, String?, Bool, Int64, Int64, Int64).self) {
            endpoints.append(WebhookEndpoint(id: row.0, url: row.1, events: row.2, owner: row.3, allowsPlainHTTP: row.4, createdAt: row.5,
                                             pending: Int(row.6), failed: Int(row.7)))
        }
        return endpoints
    }
}
