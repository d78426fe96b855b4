import GRDB

/// Schema step for the delivery engine (claims, holds, rate counters). Add statements
/// here while v3 is unreleased; after release, add a new step instead.
enum DeliveryMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            -- Claim order: highest priority first, then the longest due.
            CREATE INDEX message_claim ON message(priority DESC, next_attempt_at)
                WHERE state IN ('queued','deferred');
            -- Start-up and periodic reclaim of expired leases.
            CREATE INDEX message_leased ON message(lease_expires_at) WHERE state = 'sending';
            -- Rate limits count an owner's `sent` events in the window; survives restarts.
            CREATE INDEX event_sent_by_owner ON event(owner, at) WHERE kind = 'sent';
            CREATE INDEX recipient_by_message_address ON recipient(message_id, address);

            -- Owners whose messages are not claimed for now: a profile hold (authentication
            -- or configuration problem; also ends when `stamp` — the updated_at of the
            -- owner's and the company profile — changes) or a rate limit window.
            CREATE TABLE owner_pause (
                owner TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('hold','rate')),
                until INTEGER NOT NULL,
                reason TEXT NOT NULL,
                stamp TEXT NOT NULL,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)
    }
}
