import OutboxCore
public import OutboxStore
import PostgresNIO

/// The operator's commands on PostgreSQL (``OutboxStore/OperatorStore``): the same
/// states allowed, the same events and the same results as on SQLite. A changed message
/// is locked (`FOR UPDATE`) so a node claiming it at the same moment waits or skips it.
extension PostgresStore: OperatorStore {
    public func cancel(messageID: Int64, now: Int64) async throws -> OperationResult {
        try await changeOne(messageID, allowed: ["queued", "deferred"], action: "cancelled") { connection, logger in
            try await connection.query("""
                UPDATE message SET state = 'cancelled', finished_at = \(now), updated_at = \(now), lease_owner = NULL WHERE id = \(messageID)
                """, logger: logger)
            try await PostgresEvents.append(connection, logger: logger, kind: .cancelled, at: now, messageID: messageID, detail: "cancelled by operator")
        }
    }

    public func cancel(batchID: Int64, now: Int64) async throws -> OperationResult {
        try await changeBatch(batchID, allowed: ["queued", "deferred"], kind: .cancelled, detail: "cancelled by operator (batch)", now: now,
                              update: "state = 'cancelled', finished_at = $2, updated_at = $2")
    }

    public func retry(messageID: Int64, now: Int64) async throws -> OperationResult {
        try await changeOne(messageID, allowed: ["queued", "deferred", "failed"], action: "retried") { connection, logger in
            try await connection.query("""
                UPDATE message SET state = 'queued', next_attempt_at = \(now), finished_at = NULL, updated_at = \(now) WHERE id = \(messageID)
                """, logger: logger)
            try await PostgresEvents.append(connection, logger: logger, kind: .retried, at: now, messageID: messageID, detail: "made due now by operator")
            try await connection.query("SELECT pg_notify(\(Self.enqueueChannel), '0')", logger: logger)
        }
    }

    public func retry(batchID: Int64, now: Int64) async throws -> OperationResult {
        try await changeBatch(batchID, allowed: ["queued", "deferred", "failed"], kind: .retried, detail: "made due now by operator (batch)", now: now,
                              update: "state = 'queued', next_attempt_at = $2, finished_at = NULL, updated_at = $2")
    }

    /// As on SQLite: whole messages with their events per transaction, oldest first, then
    /// unused contents, finished webhook deliveries and one `purged` event.
    public func purge(finishedBefore cutoff: Int64, now: Int64, chunk: Int, progress: (_ done: Int, _ total: Int) -> Void) async throws -> OperationResult {
        let finished = "FROM message WHERE finished_at < $1 AND state IN ('sent','failed','cancelled')"
        var total = 0
        for try await count in try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) \(finished)", binds: Self.binds(cutoff)), logger: logger)
            .decode(Int.self) { total = count }
        var removed = 0
        progress(0, total)
        let logger = logger, limit = Int64(max(1, min(chunk, 100_000)))
        while true {
            let count = try await transaction { connection in
                var ids: [Int64] = []
                for try await id in try await connection.query(PostgresQuery(
                    unsafeSQL: "SELECT id \(finished) ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED", binds: Self.binds(cutoff, limit)),
                    logger: logger).decode(Int64.self) { ids.append(id) }
                guard !ids.isEmpty else { return 0 }
                try await connection.query("DELETE FROM event WHERE message_id = ANY(\(ids))", logger: logger)
                try await connection.query("DELETE FROM message WHERE id = ANY(\(ids))", logger: logger)
                return ids.count
            }
            guard count > 0 else { break }
            removed += count
            progress(removed, max(total, removed))
        }
        try await transaction { connection in
            try await connection.query("DELETE FROM content c WHERE NOT EXISTS (SELECT 1 FROM attachment a WHERE a.sha256 = c.sha256)", logger: logger)
            try await connection.query("DELETE FROM webhook_delivery WHERE state <> 'pending' AND finished_at < \(cutoff)", logger: logger)
            try await PostgresEvents.append(connection, logger: logger, kind: .purged, at: now, detail: "\(removed) finished message(s) purged")
        }
        return OperationResult.counted(changed: removed, skipped: 0)
    }

    private func changeOne(_ id: Int64, allowed: [String], action: String,
                           apply: @Sendable (PostgresConnection, Logger) async throws -> Void) async throws -> OperationResult {
        let logger = logger
        return try await transaction { connection in
            var state: String?
            for try await found in try await connection.query("SELECT state FROM message WHERE id = \(id) FOR UPDATE", logger: logger).decode(String.self) {
                state = found
            }
            guard let state else { throw StoreError(.notFound, "no message with id \(id)") }
            guard allowed.contains(state) else {
                throw StoreError(.invalidState, "message \(id) is \(state); only \(allowed.sorted().joined(separator: " or ")) messages can be \(action)")
            }
            try await apply(connection, logger)
            return OperationResult.counted(changed: 1, skipped: 0)
        }
    }

    /// `update` sets columns with `$2` standing for `now`.
    private func changeBatch(_ batchID: Int64, allowed: [String], kind: EventKind, detail: String, now: Int64, update: String) async throws -> OperationResult {
        let logger = logger
        return try await transaction { connection in
            var exists = false
            for try await _ in try await connection.query("SELECT 1 FROM batch WHERE id = \(batchID)", logger: logger).decode(Int.self) { exists = true }
            guard exists else { throw StoreError(.notFound, "no batch with id \(batchID)") }
            var changed: [(id: Int64, owner: String)] = []
            for try await row in try await connection.query("""
                SELECT id, owner FROM message WHERE batch_id = \(batchID) AND state = ANY(\(allowed)) ORDER BY id FOR UPDATE
                """, logger: logger).decode((Int64, String).self) { changed.append(row) }
            try await connection.query("""
                INSERT INTO event (at, kind, message_id, batch_id, owner, detail)
                SELECT \(now), \(kind.rawValue), x.id, \(batchID), x.owner, \(detail)
                FROM unnest(\(changed.map(\.id))::bigint[], \(changed.map(\.owner))::text[]) WITH ORDINALITY AS x(id, owner, n) ORDER BY x.n
                """, logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "UPDATE message SET \(update) WHERE id = ANY($1)", binds: Self.binds(changed.map(\.id), now)),
                                       logger: logger)
            if kind == .retried, !changed.isEmpty { try await connection.query("SELECT pg_notify(\(Self.enqueueChannel), '0')", logger: logger) }
            var total = 0
            for try await count in try await connection.query("SELECT count(*) FROM message WHERE batch_id = \(batchID)", logger: logger).decode(Int.self) {
                total = count
            }
            return OperationResult.counted(changed: changed.count, skipped: total - changed.count)
        }
    }

    static func binds<each Value: PostgresNonThrowingEncodable>(_ values: repeat each Value) -> PostgresBindings {
        var binds = PostgresBindings()
        repeat binds.append(each values)
        return binds
    }
}
