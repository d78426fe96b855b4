import GRDB

/// Schema step `v18-message-schedule`: a message's `notBefore` and `expiresAt` (Unix
/// milliseconds, NULL: none).
///
/// No index is added and the claim query keeps its shape: the enqueue writes `notBefore`
/// into `next_attempt_at` as well (the later of it and the enqueue time), so the claim's
/// `message_claim` range already leaves a scheduled message alone until it is due.
/// `expires_at` is read only on the rows a claim has just taken (and clamps a deferral's
/// next attempt), never scanned for.
enum ScheduleMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE message ADD COLUMN not_before INTEGER;
            ALTER TABLE message ADD COLUMN expires_at INTEGER;
            """)
    }
}
