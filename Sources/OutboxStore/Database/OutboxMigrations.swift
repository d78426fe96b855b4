import GRDB

/// The schema, as named, append-only migration steps. Never edit a shipped step: add one.
enum OutboxMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-outbox", migrate: createOutbox)
        migrator.registerMigration("v2-profiles", migrate: ProfileMigration.migrate)
        migrator.registerMigration("v3-delivery", migrate: DeliveryMigration.migrate)
        migrator.registerMigration("v4-bounces", migrate: BounceMigration.migrate)
        migrator.registerMigration("v5-profile-max-connections", migrate: addProfileMaxConnections)
        migrator.registerMigration("v9-profile-from-login", migrate: ProfileMigration.addFromLogin)
        migrator.registerMigration("v6-bounce-reasons", migrate: BounceReasonMigration.migrate)
        migrator.registerMigration("v7-sealed-secrets", migrate: SecretsMigration.migrate)
        migrator.registerMigration("v8-profile-sent-copy", migrate: SentCopyMigration.migrate)
        migrator.registerMigration("v10-dkim-keys", migrate: DKIMKeyMigration.migrate)
        migrator.registerMigration("v11-sent-header", migrate: SentHeaderMigration.migrate)
        migrator.registerMigration("v12-throughput", migrate: ThroughputMigration.migrate)
        migrator.registerMigration("v13-unknown-outcomes", migrate: UnknownOutcomeMigration.migrate)
        migrator.registerMigration("v14-send-pace", migrate: OutboxDatabase.createSendPace)
        migrator.registerMigration("v15-api-tokens", migrate: APITokenMigration.migrate)
        migrator.registerMigration("v16-inline-images", migrate: addAttachmentContentID)
        migrator.registerMigration("v17-unsubscribe", migrate: UnsubscribeMigration.migrate)
        migrator.registerMigration("v18-message-schedule", migrate: ScheduleMigration.migrate)
        migrator.registerMigration("v19-webhooks", migrate: WebhookMigration.migrate)
        migrator.registerMigration("v20-oauth-provider", migrate: ProfileMigration.addOAuthProvider)
        migrator.registerMigration("v21-event-outcomes-by-time", migrate: StatusPageMigration.migrate)
        migrator.registerMigration("v25-index-trim", migrate: IndexTrimMigration.migrate)
        migrator.registerMigration("v27-outcome-index-terms", migrate: StatusPageMigration.rewriteCondition)
        return migrator
    }

    // Times are Unix milliseconds (INTEGER); states are the raw values of the Core enums.
    private static func createOutbox(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE batch (
                id INTEGER PRIMARY KEY,
                batch_key TEXT UNIQUE,
                source TEXT,
                message_count INTEGER NOT NULL DEFAULT 0,
                duplicate_count INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            );

            CREATE TABLE message (
                id INTEGER PRIMARY KEY,
                batch_id INTEGER NOT NULL REFERENCES batch(id),
                message_key TEXT,
                owner TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued','sending','sent','deferred','failed','cancelled')),
                priority INTEGER NOT NULL DEFAULT 0,
                token TEXT NOT NULL UNIQUE,
                subject TEXT NOT NULL,
                text_body TEXT,
                html_body TEXT,
                headers TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                lease_owner TEXT,
                lease_expires_at INTEGER,
                last_code INTEGER,
                last_error TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                finished_at INTEGER
            );
            CREATE UNIQUE INDEX message_by_key ON message(message_key) WHERE message_key IS NOT NULL;
            CREATE INDEX message_by_state ON message(state);
            CREATE INDEX message_by_owner ON message(owner);
            CREATE INDEX message_by_batch ON message(batch_id);
            CREATE INDEX message_due ON message(state, next_attempt_at) WHERE state IN ('queued','deferred');
            CREATE INDEX message_finished ON message(finished_at) WHERE finished_at IS NOT NULL;

            CREATE TABLE recipient (
                id INTEGER PRIMARY KEY,
                message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                kind TEXT NOT NULL CHECK (kind IN ('to','cc','bcc')),
                address TEXT NOT NULL,
                display_name TEXT,
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending','sent','deferred','failed','bounced','suppressed')),
                last_code INTEGER,
                last_reply TEXT,
                updated_at INTEGER NOT NULL
            );
            CREATE INDEX recipient_by_message ON recipient(message_id);
            CREATE INDEX recipient_by_address ON recipient(address);

            -- A rowid table: blobs are appended; only the small hash index takes random inserts.
            CREATE TABLE content (
                id INTEGER PRIMARY KEY,
                sha256 TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                data BLOB NOT NULL
            );

            CREATE TABLE attachment (
                message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                sha256 TEXT NOT NULL REFERENCES content(sha256),
                filename TEXT NOT NULL,
                content_type TEXT,
                PRIMARY KEY (message_id, position)
            ) WITHOUT ROWID;
            CREATE INDEX attachment_by_content ON attachment(sha256);

            CREATE TABLE event (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                message_id INTEGER,
                batch_id INTEGER,
                owner TEXT,
                recipient TEXT,
                code INTEGER,
                enhanced_code TEXT,
                detail TEXT
            );
            CREATE INDEX event_by_message ON event(message_id) WHERE message_id IS NOT NULL;
            CREATE INDEX event_by_kind ON event(kind);
            CREATE TRIGGER event_append_only BEFORE UPDATE ON event
                BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

            CREATE TABLE profile (
                owner TEXT PRIMARY KEY,
                mode TEXT,
                host TEXT,
                port INTEGER,
                tls TEXT,
                username TEXT,
                secret TEXT,
                from_address TEXT,
                from_name TEXT,
                reply_to TEXT,
                archive_bcc TEXT,
                verify_tls INTEGER,
                ca_file TEXT,
                bind_address TEXT,
                per_minute INTEGER,
                per_hour INTEGER,
                per_day INTEGER,
                held_until INTEGER,
                held_reason TEXT,
                updated_at INTEGER NOT NULL
            );

            CREATE TABLE setting (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );

            CREATE TABLE suppression (
                address TEXT PRIMARY KEY,
                reason TEXT NOT NULL,
                event_id INTEGER,
                created_at INTEGER NOT NULL
            );

            -- Live counts by owner and state, so `status` stays O(owners) at millions of messages.
            CREATE TABLE message_count (
                owner TEXT NOT NULL,
                state TEXT NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (owner, state)
            ) WITHOUT ROWID;
            CREATE TRIGGER message_count_insert AFTER INSERT ON message BEGIN
                INSERT INTO message_count(owner, state, n) VALUES (NEW.owner, NEW.state, 1)
                    ON CONFLICT(owner, state) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER message_count_update AFTER UPDATE OF state ON message
                WHEN OLD.state <> NEW.state BEGIN
                UPDATE message_count SET n = n - 1 WHERE owner = OLD.owner AND state = OLD.state;
                INSERT INTO message_count(owner, state, n) VALUES (NEW.owner, NEW.state, 1)
                    ON CONFLICT(owner, state) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER message_count_delete AFTER DELETE ON message BEGIN
                UPDATE message_count SET n = n - 1 WHERE owner = OLD.owner AND state = OLD.state;
            END;
            """)
    }

    /// Inline images are attachments with a Content-ID (`cid:` in the HTML); NULL: an attachment.
    private static func addAttachmentContentID(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE attachment ADD COLUMN content_id TEXT")
    }

    /// A per-profile cap on open SMTP connections; NULL: the daemon's `connections-per-profile`.
    private static func addProfileMaxConnections(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE profile ADD COLUMN max_connections INTEGER")
    }
}
