import GRDB

/// `v21-event-outcomes-by-time`: the status page's 24-hour charts read outcome events
/// (`sent`, `failed`, `expired`, `bounced`) by time from this covering partial index, in
/// one grouped range scan per kind, instead of scanning the whole event log. Only outcome
/// events pay for the extra index entry, one per event, in the transaction that writes it.
///
/// `v27-outcome-index-terms` makes the same index again on ``outcomeKinds``: SQLite decides
/// whether a row belongs to a partial index on every insert, and for a `kind IN (four
/// values)` condition it built a temporary b-tree of the values each time — two per
/// delivered message (its `attempt` and outcome events), 71k of 1.29M instructions per
/// delivered message (callgrind, 2,000 messages). Comparisons joined by OR cost nothing of
/// the kind.
enum StatusPageMigration {
    /// The condition the index is partial on; a query uses the index only when it repeats
    /// this term exactly (SQLite's partial-index rule).
    static let outcomeKinds = "(kind = 'sent' OR kind = 'failed' OR kind = 'expired' OR kind = 'bounced')"
    /// The same condition as `v21` wrote it, and as PostgreSQL's index (`v26-status-page-index`) has it.
    static let outcomeKindsList = "kind IN ('sent','failed','expired','bounced')"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX event_outcome_by_time ON event(kind, at, reason, code) WHERE \(outcomeKindsList)")
    }

    static func rewriteCondition(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS event_outcome_by_time;
            CREATE INDEX event_outcome_by_time ON event(kind, at, reason, code) WHERE \(outcomeKinds);
            """)
    }
}
