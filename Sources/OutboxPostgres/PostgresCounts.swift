import OutboxStore
import PostgresNIO

/// The message counts by owner and state on PostgreSQL: `message_count` plus the signed
/// deltas appended since the last fold (see the schema's `message_count_delta`).
enum PostgresCounts {
    /// The advisory lock that lets one node at a time fold deltas ("outbox:c").
    static let foldLockKey: Int64 = 0x6F75_7462_6F78_3A63

    /// Moves the deltas into `message_count` in one transaction, unless another node is
    /// folding right now (then its fold will do).
    static func fold(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            var locked = false
            for try await got in try await connection.query("SELECT pg_try_advisory_xact_lock(\(foldLockKey))", logger: logger).decode(Bool.self) {
                locked = got
            }
            guard locked else { return }
            try await connection.query("""
                WITH moved AS (DELETE FROM message_count_delta RETURNING owner, state, n)
                INSERT INTO message_count (owner, state, n)
                SELECT owner, state, sum(n) FROM moved GROUP BY owner, state ORDER BY owner, state
                ON CONFLICT (owner, state) DO UPDATE SET n = message_count.n + excluded.n
                """, logger: logger)
        }
    }

    /// Non-zero counts in owner and state order, deltas not yet folded included.
    static func read(_ connection: PostgresConnection, logger: Logger) async throws -> [OutboxStatus.Count] {
        var counts: [OutboxStatus.Count] = []
        for try await (owner, state, n) in try await connection.query("""
            SELECT owner, state, sum(n)::bigint FROM (
                SELECT owner, state, n FROM message_count UNION ALL SELECT owner, state, n FROM message_count_delta) AS all_counts
            GROUP BY owner, state HAVING sum(n) > 0 ORDER BY owner, state
            """, logger: logger).decode((String, String, Int).self) {
            counts.append(OutboxStatus.Count(owner: owner, state: state, count: n))
        }
        return counts
    }
}
