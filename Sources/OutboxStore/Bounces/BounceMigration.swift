import GRDB

/// Schema step for bounce ingestion (raw bounces, matching indexes). Add statements here
/// while v4 is unreleased; after release, add a new step instead.
enum BounceMigration {
    static func migrate(_ db: Database) throws {
        // Every message that reaches a door is kept here, raw, before anything else; events
        // refer to it as `bounce #ID`. The hash makes a re-delivered copy (a mailbox message
        // recorded but not yet deleted, an MTA retry) a no-op.
        try db.execute(sql: """
            CREATE TABLE bounce (
                id INTEGER PRIMARY KEY,
                received_at INTEGER NOT NULL,
                source TEXT NOT NULL,
                sha256 TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                raw BLOB NOT NULL,
                kind TEXT NOT NULL,
                format TEXT NOT NULL,
                message_id INTEGER,
                matched_by TEXT,
                subject TEXT
            );
            CREATE INDEX bounce_by_received ON bounce(received_at);
            CREATE INDEX bounce_by_message ON bounce(message_id) WHERE message_id IS NOT NULL;
            -- Address fallback and suppression checks compare without regard to case.
            CREATE INDEX recipient_by_lower_address ON recipient(lower(address));
            """)
    }
}
