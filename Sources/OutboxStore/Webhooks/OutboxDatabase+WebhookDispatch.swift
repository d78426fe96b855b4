import GRDB
import OutboxCore

/// The webhook dispatcher's side of the store: turning new events into deliveries by
/// each endpoint's cursor, reading due deliveries, recording attempts.
extension OutboxDatabase {
    /// Reads up to `limit` events after each endpoint's cursor (a primary-key range), writes
    /// a pending delivery for every one the endpoint asked for, and moves the cursor past
    /// what was read — in one transaction. Returns how many deliveries were written, and
    /// whether more events wait (an endpoint's read stopped at `limit`).
    @discardableResult
    public func scheduleWebhookDeliveries(now: Int64, limit: Int = 1000) throws -> (written: Int, more: Bool) {
        try pool.write { db in
            var written = 0, more = false
            for endpoint in try Row.fetchAll(db, sql: "SELECT id, events, owner, cursor FROM webhook_endpoint") {
                let id: Int64 = endpoint["id"], cursor: Int64 = endpoint["cursor"], owner: String? = endpoint["owner"]
                let kinds = Set((endpoint["events"] as String).split(separator: ",").map(String.init))
                let events = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, kind, owner FROM event WHERE id > ? ORDER BY id LIMIT ?"),
                                              arguments: [cursor, limit])
                guard let last = events.last?["id"] as Int64? else { continue }
                more = more || events.count == limit
                for event in events where kinds.contains(event["kind"] as String) && (owner == nil || owner == (event["owner"] as String?)) {
                    try db.cachedStatement(sql: """
                        INSERT INTO webhook_delivery (endpoint_id, event_id, next_attempt_at, created_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (endpoint_id, event_id) DO NOTHING
                        """).execute(arguments: [id, event["id"], now, now])
                    written += db.changesCount
                }
                try db.execute(sql: "UPDATE webhook_endpoint SET cursor = ? WHERE id = ?", arguments: [last, id])
            }
            return (written, more)
        }
    }

    /// The ids of the registered endpoints.
    public func webhookEndpointIDs() throws -> [Int64] {
        try pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM webhook_endpoint ORDER BY id") }
    }

    /// Up to `limit` of `endpointID`'s pending deliveries due at `now`, oldest due first,
    /// leaving out `busy` (being sent), with the secret opened and the events read.
    public func dueWebhookDeliveries(endpointID: Int64, now: Int64, limit: Int, busy: Set<Int64> = []) throws -> [WebhookDispatch] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.id AS delivery_id, d.endpoint_id, d.attempts, d.created_at AS scheduled_at, d.event_id,
                    w.url, w.allow_http, w.secret_sealed
                FROM webhook_delivery d INDEXED BY webhook_delivery_due JOIN webhook_endpoint w ON w.id = d.endpoint_id
                WHERE d.endpoint_id = ? AND d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?
                """, arguments: [endpointID, now, limit + busy.count])
            return try rows.filter { !busy.contains($0["delivery_id"]) }.prefix(limit).map { row in
                let endpointID: Int64 = row["endpoint_id"]
                let (secret, problem) = WebhookSecrets.open(row["secret_sealed"], endpointID: endpointID, vault: secrets)
                let event = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(WebhookEvent.columns) FROM event e LEFT JOIN message m ON m.id = e.message_id
                    LEFT JOIN batch b ON b.id = e.batch_id WHERE e.id = ?
                    """), arguments: [row["event_id"]]).map(WebhookEvent.init(row:))
                return WebhookDispatch(deliveryID: row["delivery_id"], endpointID: endpointID, url: row["url"], allowsPlainHTTP: row["allow_http"], secret: secret,
                                       secretProblem: problem, attempts: row["attempts"], createdAt: row["scheduled_at"], event: event)
            }
        }
    }

    /// Records one attempt (its status, latency and error) and the delivery's new state.
    public func recordWebhookAttempt(
        deliveryID: Int64, at: Int64, status: Int?, latencyMilliseconds: Int64, error: String?, outcome: WebhookOutcome
    ) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO webhook_attempt (delivery_id, at, status, latency_ms, error) VALUES (?, ?, ?, ?, ?)",
                           arguments: [deliveryID, at, status, latencyMilliseconds, error])
            let (state, next, finished): (String, Int64?, Int64?) = switch outcome {
            case .delivered: ("delivered", nil, at)
            case .retry(let next): ("pending", next, nil)
            case .failed: ("failed", nil, at)
            }
            try db.execute(sql: """
                UPDATE webhook_delivery SET state = ?, attempts = attempts + 1, next_attempt_at = coalesce(?, next_attempt_at),
                    last_status = ?, last_error = ?, finished_at = ?
                WHERE id = ?
                """, arguments: [state, next, status, error, finished, deliveryID])
        }
    }

    /// Whether any endpoint is registered (the dispatcher idles cheaply when none is).
    public func hasWebhooks() throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_endpoint)") ?? false }
    }
}
