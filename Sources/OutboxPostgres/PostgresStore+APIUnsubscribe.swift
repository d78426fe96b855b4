import OutboxCore
import OutboxStore

/// One-click unsubscribe (`POST /u/{token}`) on PostgreSQL: the same decisions as on SQLite
/// (``OutboxStore/UnsubscribeRequest`` over the bounce ledger, as the `unsubscribe+TOKEN@…`
/// mail door records it), in one transaction under the ingest lock. Two nodes taking the
/// same request at once: the second waits for the first and reports "already unsubscribed".
extension PostgresStore {
    public func unsubscribe(token raw: String, source: UnsubscribeSource, now: Int64) async throws -> UnsubscribeResult {
        let doors = PostgresBounceStore(store: self, toDatabaseTime: { $0 })
        // The ledger blocks its thread while each query runs: a dispatch thread, never the concurrency pool.
        return try await offloaded { try doors.unsubscribe(token: raw, source: source, now: now) }
    }
}
