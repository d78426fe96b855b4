import GRDB

/// `v21-event-outcomes-by-time`: the status page's 24-hour charts read outcome events
/// (`sent`, `failed`, `expired`, `bounced`) by time from this covering partial index, in
/// one grouped range scan per kind, instead of scanning the whole event log. Only outcome
/// events pay for the extra index entry, one per event, in the transaction that writes it.
enum StatusPageMigration {
    /// The `kind IN (…)` term the index is partial on; a query uses the index only when it
    /// repeats this term exactly (SQLite's partial-index rule).
    static let outcomeKinds = "kind IN ('sent','failed','expired','bounced')"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX event_outcome_by_time ON event(kind, at, reason, code) WHERE \(outcomeKinds)")
    }
}
