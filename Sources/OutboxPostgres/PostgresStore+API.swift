import Foundation
import OutboxCore
public import OutboxStore
import PostgresNIO

/// The HTTP API's store operations on PostgreSQL (``OutboxStore/APIStore``): the same
/// answers as `OutboxDatabase+APILookups`, `+StatusPage`, `+Health` and `+Unsubscribe` give
/// on SQLite, so any node of a shared outbox can serve the API. Status, message, events,
/// cancel and retry are the ``OutboxStore/QueueStore`` and ``OutboxStore/OperatorStore`` ones.
extension PostgresStore: APIStore {
    /// Several nodes write one PostgreSQL outbox.
    public var isShared: Bool { true }

    /// Reads the whole batch (validated as `outbox enqueue` does) and enqueues it in one transaction.
    public func enqueue(_ input: BatchInput, bytes: [UInt8], now: Int64) async throws -> EnqueueResult {
        let (batchKey, entries) = try input.read(bytes: bytes, now: now)
        return try await enqueue(batchKey: batchKey, source: input.source, now: now, attachments: input.attachments, limits: input.limits,
                                 messages: entries)
    }

    /// Storing the same bytes again (on any node) writes nothing.
    public func storeContent(_ bytes: [UInt8]) async throws -> StoredContentReference {
        let sha = SHA256.hex(of: bytes), content = StoredContent.encoded(bytes)
        var created = false
        for try await _ in try await client.query("""
            INSERT INTO content (sha256, size, data, encoding) VALUES (\(sha), \(content.size), \(content.data), \(content.encoding))
            ON CONFLICT (sha256) DO NOTHING RETURNING 1
            """, logger: logger).decode(Int.self) { created = true }
        return .stored(sha256: sha, size: bytes.count, created: created)
    }

    public func messageID(key: String) async throws -> Int64? {
        var id: Int64?
        for try await found in try await client.query("SELECT id FROM message WHERE message_key = \(key)", logger: logger).decode(Int64.self) {
            id = found
        }
        return id
    }

    public func batch(key: String, owners: [String]?) async throws -> BatchSummary? {
        try await client.withConnection { connection in
            var found: (id: Int64, source: String?, createdAt: Int64, enqueued: Int, duplicates: Int)?
            for try await row in try await connection.query("""
                SELECT id, source, created_at, message_count, duplicate_count FROM batch WHERE batch_key = \(key)
                """, logger: logger).decode((Int64, String?, Int64, Int, Int).self) { found = row }
            guard let found else { return nil }
            var states: [String: Int] = [:]
            // The owner limit as an array bind: nil (every owner) matches every row.
            for try await (state, count) in try await connection.query("""
                SELECT state, count(*)::bigint FROM message WHERE batch_id = \(found.id) AND (\(owners == nil) OR owner = ANY(\(owners ?? [])))
                GROUP BY state
                """, logger: logger).decode((String, Int).self) { states[state] = count }
            if owners != nil, states.isEmpty { return nil }
            return .stored(id: found.id, key: key, source: found.source, createdAt: found.createdAt, enqueued: found.enqueued,
                           duplicates: found.duplicates, states: states)
        }
    }

    public func lastEventID() async throws -> Int64 {
        var last: Int64 = 0
        for try await id in try await client.query("SELECT COALESCE(max(id), 0)::bigint FROM event", logger: logger).decode(Int64.self) { last = id }
        return last
    }

    /// Read in one snapshot (a repeatable-read transaction), as SQLite's.
    public func queueHealth(now: Int64) async throws -> QueueHealth {
        let logger = logger
        return try await transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            var owners: [String] = [], waiting = 0
            for try await (owner, state, count) in try await connection.query("""
                SELECT owner, state, sum(n)::bigint FROM (
                    SELECT owner, state, n FROM message_count UNION ALL SELECT owner, state, n FROM message_count_delta) AS all_counts
                WHERE state IN ('queued','deferred','sending') GROUP BY owner, state HAVING sum(n) > 0 ORDER BY owner
                """, logger: logger).decode((String, String, Int).self) {
                if owners.last != owner { owners.append(owner) }
                if state != "sending" { waiting += count }
            }
            var holds: [(owner: String, until: Int64, reason: String)] = []
            for try await hold in try await connection.query("""
                SELECT owner, until, reason FROM owner_pause WHERE kind = 'hold' AND until > \(now) ORDER BY owner
                """, logger: logger).decode((String, Int64, String).self) { holds.append(hold) }
            var oldestDue: Int64?
            for try await due in try await connection.query("""
                SELECT MIN(next_attempt_at) FROM message
                WHERE state IN ('queued','deferred') AND next_attempt_at <= \(now)
                  AND owner NOT IN (SELECT owner FROM owner_pause WHERE until > \(now))
                """, logger: logger).decode(Int64?.self) { oldestDue = due }
            return .stored(activeOwners: owners, holds: holds, oldestDueAt: oldestDue, waiting: waiting)
        }
    }

    /// One grouped range scan of `event_outcome_by_time` and the newest failures of each kind
    /// read backwards along it, as on SQLite.
    public func outcomeOverview(since: Int64, failureLimit: Int) async throws -> OutcomeOverview {
        try await client.withConnection { connection in
            var groups: [(kind: String, minute: Int64, reason: String?, code: Int?, count: Int)] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT kind, at / 60000 AS minute, reason, code, count(*)::bigint FROM event
                WHERE \(OutcomeOverview.outcomeKinds) AND at >= $1 GROUP BY kind, minute, reason, code
                """, binds: Self.binds(since)), logger: logger).decode((String, Int64, String?, Int?, Int).self) {
                groups.append((row.0, row.1, row.2, row.3, row.4))
            }
            var failures: [OutcomeOverview.Failure] = []
            for kind in ["failed", "expired", "bounced"] {
                // The kind is written into the statement so the planner can use the partial index.
                for try await c in try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT e.id, e.at, e.kind, e.message_id, e.batch_id, e.owner, e.recipient, e.code, e.enhanced_code, e.detail, e.reason, e.severity,
                        (SELECT address FROM recipient r WHERE r.message_id = e.message_id ORDER BY r.id LIMIT 1)
                    FROM event e WHERE \(OutcomeOverview.outcomeKinds) AND e.kind = '\(kind)' ORDER BY e.at DESC LIMIT $1
                    """, binds: Self.binds(Int64(failureLimit))), logger: logger).decode(
                        (Int64, Int64, String, Int64?, Int64?, String?, String?, Int?, String?, String?, String?, String?, String?).self) {
                    let event = EventRecord(id: c.0, at: c.1, kind: c.2, messageID: c.3, batchID: c.4, owner: c.5, recipient: c.6, code: c.7,
                                            enhancedCode: c.8, detail: c.9, reason: c.10, severity: c.11)
                    failures.append(.stored(event, firstRecipient: c.12))
                }
            }
            return .assembled(since: since, groups: groups, failures: failures, failureLimit: failureLimit)
        }
    }

    public func enqueueTimes(messageIDs: [Int64]) async throws -> [Int64: Int64] {
        guard !messageIDs.isEmpty else { return [:] }
        var times: [Int64: Int64] = [:]
        for try await (id, created) in try await client.query("""
            SELECT id, created_at FROM message WHERE id = ANY(\(messageIDs))
            """, logger: logger).decode((Int64, Int64).self) { times[id] = created }
        return times
    }
}
