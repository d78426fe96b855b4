import GRDB

/// Schema step `v25-index-trim`: two indexes no query needs go, each a b-tree page more in
/// the WAL of the writes that touched it.
///
/// - `message_leased` indexed the lease expiry of messages being sent: every claim inserted
///   an entry, every lease renewal moved one and every outcome deleted one. The queries on
///   leases look only at messages in state `sending` — the claims under way, a few per
///   worker — and ``ThroughputMigration/openStateIndex`` finds those when they say
///   ``sendingTerm``.
/// - `recipient_by_address` indexed recipients by exact address: every enqueued recipient
///   paid an entry, and every lookup by address goes through `recipient_by_lower_address`
///   (bounces, case-insensitive) or `recipient_by_message_address` (outcomes).
enum IndexTrimMigration {
    /// The terms that select the messages being sent through the open-state index (SQLite
    /// uses a partial index only when a query repeats its condition).
    static let sendingTerm = "state = 'sending' AND \(ThroughputMigration.openStateTerm("state"))"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS message_leased;
            DROP INDEX IF EXISTS recipient_by_address;
            """)
    }
}
