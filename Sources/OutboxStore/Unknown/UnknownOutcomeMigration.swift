import GRDB

/// Schema step `v13-unknown-outcomes`: messages whose outcome is unknown (the connection
/// broke after the final "."), parked in `deferred` until resolved, and the next step for
/// each. A row lives exactly as long as the message is parked for that reason.
enum UnknownOutcomeMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE unknown_outcome (
                message_id INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
                owner TEXT NOT NULL,
                header_message_id TEXT,
                action TEXT NOT NULL CHECK (action IN ('check-sent','resend','hold')),
                since INTEGER NOT NULL,
                due_at INTEGER,
                checks INTEGER NOT NULL DEFAULT 0,
                detail TEXT NOT NULL
            );
            CREATE INDEX unknown_outcome_due ON unknown_outcome(due_at) WHERE action = 'check-sent';
            """)
    }
}
