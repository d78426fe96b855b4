import Foundation
import Logging
import OutboxStore
import PostgresNIO

/// The PostgreSQL schema as named, append-only steps recorded in `outbox_migration`.
/// Names follow the SQLite sequence (``OutboxStore`` `OutboxMigrations`): the first step
/// creates what SQLite's v1…v17 build, for the tables phase 1 uses; a later SQLite step
/// `vN-…` that changes them gets a PostgreSQL step of the same name. Both stores share one
/// numbered sequence: a number a step of one store takes is skipped by the other (v22 and
/// v23 are PostgreSQL-only, so SQLite's next step is v24).
///
/// Run by every node at start under one session-level advisory lock, so when two nodes
/// start at once one migrates and the other waits, then finds nothing left to do. A
/// database with a step this binary does not know is refused (a newer binary migrated it).
enum PostgresMigrations {
    /// The advisory lock key: "outbox:m" in ASCII, shared by every Outbox node.
    static let lockKey: Int64 = 0x6F75_7462_6F78_3A6D

    static let steps: [(name: String, sql: String)] = [
        ("v17-baseline", baseline),
        // As SQLite's v18: the enqueue writes notBefore into next_attempt_at too, so the claim keeps its shape.
        ("v18-message-schedule", "ALTER TABLE message ADD COLUMN not_before BIGINT; ALTER TABLE message ADD COLUMN expires_at BIGINT"),
        // As SQLite's owner_pause (issue #14 phase 2): holds and rate pauses every node sees;
        // `stamp` is the owner's and the company profile's updated_at when the hold began.
        ("v22-owner-pause", """
            CREATE TABLE owner_pause (owner TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('hold','rate')), until BIGINT NOT NULL,
                reason TEXT NOT NULL, stamp TEXT NOT NULL, created_at BIGINT NOT NULL)
            """),
        ("v23-sqlite-parity", sqliteParity),
        // Connection caps and rate limits counted across nodes (PostgresSendLimits); no SQLite step: one node counts in memory.
        ("v24-send-limits", PostgresSendLimitSchema.step),
        // As SQLite's event_outcome_by_time: the status page's 24-hour charts and latest failures read a range, not the whole log.
        ("v26-status-page-index", "CREATE INDEX event_outcome_by_time ON event (kind, at) WHERE kind IN ('sent','failed','expired','bounced')"),
    ]

    /// Applies the steps the database lacks; returns their names, in order (empty when it was up to date).
    @discardableResult
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        let applied: [String]
        do {
            applied = try await apply(connection, logger: logger)
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
        return applied
    }

    private static func apply(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS outbox_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        var applied = Set<String>()
        for try await name in try await connection.query("SELECT name FROM outbox_migration", logger: logger).decode(String.self) {
            applied.insert(name)
        }
        let unknown = applied.subtracting(steps.map(\.name))
        guard unknown.isEmpty else {
            throw StoreError(.schemaMismatch, "the PostgreSQL outbox has schema step(s) \(unknown.sorted().joined(separator: ", ")) this outbox binary does not know; upgrade it")
        }
        var appliedNow: [String] = []
        for step in steps where !applied.contains(step.name) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in statements(step.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO outbox_migration (name) VALUES (\(step.name))", logger: logger)
            }
            logger.notice("applied PostgreSQL schema step \(step.name)")
            appliedNow.append(step.name)
        }
        return appliedNow
    }

    /// The statements of a step (the extended protocol runs one at a time): split at `;`
    /// outside `$$` bodies, with `--` comments dropped.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = [], current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            var text = Substring(line)
            if !inBody, let comment = text.range(of: "--") { text = text[..<comment.lowerBound] }
            var index = text.startIndex
            while index < text.endIndex {
                if text[index...].hasPrefix("$$") {
                    inBody.toggle()
                    current += "$$"
                    index = text.index(index, offsetBy: 2)
                    continue
                }
                if text[index] == ";" && !inBody {
                    statements.append(current)
                    current = ""
                } else {
                    current.append(text[index])
                }
                index = text.index(after: index)
            }
            current += "\n"
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    // Times are Unix milliseconds (BIGINT), states the raw values of the Core enums, as on SQLite.
    private static let baseline = """
        CREATE TABLE batch (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            batch_key TEXT UNIQUE,
            source TEXT,
            message_count INTEGER NOT NULL DEFAULT 0,
            duplicate_count INTEGER NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL
        );

        CREATE TABLE message (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            batch_id BIGINT NOT NULL REFERENCES batch(id),
            message_key TEXT UNIQUE,
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
            next_attempt_at BIGINT NOT NULL,
            lease_owner TEXT,
            lease_expires_at BIGINT,
            last_code INTEGER,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            finished_at BIGINT,
            kind TEXT NOT NULL DEFAULT 'transactional' CHECK (kind IN ('transactional','invoice','letter'))
        );
        CREATE INDEX message_claim ON message (priority DESC, next_attempt_at) WHERE state IN ('queued','deferred');
        CREATE INDEX message_by_open_state ON message (state) WHERE state <> 'sent';
        CREATE INDEX message_leased ON message (lease_owner) WHERE state = 'sending';
        CREATE INDEX message_by_owner ON message (owner);
        CREATE INDEX message_by_batch ON message (batch_id);
        CREATE INDEX message_finished ON message (finished_at) WHERE finished_at IS NOT NULL;

        CREATE TABLE recipient (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            message_id BIGINT NOT NULL REFERENCES message(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('to','cc','bcc')),
            address TEXT NOT NULL,
            display_name TEXT,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending','sent','deferred','failed','bounced','suppressed')),
            last_code INTEGER,
            last_reply TEXT,
            bounce_reason TEXT,
            bounce_severity TEXT,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX recipient_by_message_address ON recipient (message_id, address);
        CREATE INDEX recipient_by_address ON recipient (address);

        CREATE TABLE content (
            sha256 TEXT PRIMARY KEY,
            size BIGINT NOT NULL,
            data BYTEA NOT NULL,
            encoding TEXT
        );

        CREATE TABLE attachment (
            message_id BIGINT NOT NULL REFERENCES message(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            sha256 TEXT NOT NULL REFERENCES content(sha256),
            filename TEXT NOT NULL,
            content_type TEXT,
            content_id TEXT,
            PRIMARY KEY (message_id, position)
        );
        CREATE INDEX attachment_by_content ON attachment (sha256);

        CREATE TABLE event (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            message_id BIGINT,
            batch_id BIGINT,
            owner TEXT,
            recipient TEXT,
            code INTEGER,
            enhanced_code TEXT,
            detail TEXT,
            reason TEXT,
            severity TEXT
        );
        CREATE INDEX event_by_message ON event (message_id) WHERE message_id IS NOT NULL;
        CREATE FUNCTION outbox_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
        CREATE TRIGGER event_append_only BEFORE UPDATE ON event
            FOR EACH ROW EXECUTE FUNCTION outbox_event_append_only();

        -- The profile columns delivery reads; secrets are named by credential only (no sealed secrets yet).
        CREATE TABLE profile (
            owner TEXT PRIMARY KEY,
            mode TEXT, host TEXT, port INTEGER, tls TEXT, username TEXT, secret_credential TEXT,
            from_address TEXT, from_name TEXT, reply_to TEXT, archive_bcc TEXT, verify_tls BOOLEAN, ca_file TEXT,
            bind_address TEXT, url TEXT, per_minute INTEGER, per_hour INTEGER, per_day INTEGER, recipients_per_day INTEGER,
            max_connections INTEGER, from_login BOOLEAN, held_until BIGINT, held_reason TEXT,
            updated_at BIGINT NOT NULL
        );

        CREATE TABLE setting (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        -- Counts by owner and state, so `status` stays O(owners) at millions of messages.
        -- Several nodes change states at once, so no shared counter row is updated in the
        -- hot path: the enqueue and a statement-level trigger append signed deltas, and
        -- one node at a time folds them into message_count (PostgresCounts).
        CREATE TABLE message_count (
            owner TEXT NOT NULL,
            state TEXT NOT NULL,
            n BIGINT NOT NULL,
            PRIMARY KEY (owner, state)
        );
        CREATE TABLE message_count_delta (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            owner TEXT NOT NULL,
            state TEXT NOT NULL,
            n BIGINT NOT NULL
        );
        CREATE FUNCTION outbox_message_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO message_count_delta (owner, state, n)
                SELECT owner, state, sum(n) FROM (
                    SELECT o.owner, o.state, -1 AS n FROM old_rows o JOIN new_rows c USING (id) WHERE o.state <> c.state
                    UNION ALL
                    SELECT c.owner, c.state, 1 AS n FROM old_rows o JOIN new_rows c USING (id) WHERE o.state <> c.state) AS moved
                GROUP BY owner, state;
                RETURN NULL;
            END $$;
        CREATE TRIGGER message_count_update AFTER UPDATE ON message
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION outbox_message_count_update();
        CREATE FUNCTION outbox_message_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO message_count_delta (owner, state, n) SELECT owner, state, -count(*) FROM old_rows GROUP BY owner, state;
                RETURN NULL;
            END $$;
        CREATE TRIGGER message_count_delete AFTER DELETE ON message
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION outbox_message_count_delete();
        """

    // Every table and column the SQLite outbox has that the baseline lacks (v4…v20), as
    // SQLite has them, so `outbox store copy` carries an outbox whole: bounces and
    // suppressions, sealed secrets and OAuth state, DKIM keys, sent headers, unknown
    // outcomes, pauses and pace, API tokens, unsubscribe tokens and webhooks.
    private static let sqliteParity = """
        ALTER TABLE profile ADD COLUMN oauth_authority TEXT;
        ALTER TABLE profile ADD COLUMN oauth_tenant TEXT;
        ALTER TABLE profile ADD COLUMN oauth_client_id TEXT;
        ALTER TABLE profile ADD COLUMN oauth_expires_at BIGINT;
        ALTER TABLE profile ADD COLUMN oauth_provider TEXT;
        ALTER TABLE profile ADD COLUMN oauth_client_secret_credential TEXT;
        -- Sealed with the outbox's secrets key (never stored in plain text here).
        ALTER TABLE profile ADD COLUMN secret_sealed BYTEA;
        ALTER TABLE profile ADD COLUMN oauth_refresh_sealed BYTEA;
        ALTER TABLE profile ADD COLUMN oauth_access_sealed BYTEA;
        ALTER TABLE profile ADD COLUMN sent_copy_folder TEXT;
        ALTER TABLE profile ADD COLUMN sent_copy_url TEXT;
        ALTER TABLE profile ADD COLUMN sent_copy_user TEXT;

        CREATE TABLE suppression (
            address TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            event_id BIGINT,
            created_at BIGINT NOT NULL,
            bounce_reason TEXT,
            bounce_id BIGINT,
            expires_at BIGINT
        );

        CREATE TABLE bounce (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            received_at BIGINT NOT NULL,
            source TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            size BIGINT NOT NULL,
            raw BYTEA NOT NULL,
            kind TEXT NOT NULL,
            format TEXT NOT NULL,
            message_id BIGINT,
            matched_by TEXT,
            subject TEXT,
            reasons TEXT
        );
        CREATE INDEX bounce_by_received ON bounce (received_at);
        CREATE INDEX bounce_by_message ON bounce (message_id) WHERE message_id IS NOT NULL;
        CREATE INDEX recipient_by_lower_address ON recipient (lower(address));
        CREATE INDEX event_bounce_by_recipient ON event (lower(recipient), at) WHERE reason IS NOT NULL;
        CREATE INDEX event_removal_by_recipient ON event (recipient, at) WHERE kind = 'suppression-removed';

        CREATE TABLE sender_problem (
            owner TEXT NOT NULL,
            reason TEXT NOT NULL,
            count BIGINT NOT NULL,
            first_at BIGINT NOT NULL,
            last_at BIGINT NOT NULL,
            last_event_id BIGINT,
            PRIMARY KEY (owner, reason)
        );

        -- IF NOT EXISTS: the PostgreSQL serve work (issue #14 phase 2) creates these two as well.
        CREATE TABLE IF NOT EXISTS owner_pause (
            owner TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('hold','rate')),
            until BIGINT NOT NULL,
            reason TEXT NOT NULL,
            stamp TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );

        CREATE TABLE IF NOT EXISTS send_pace (
            owner TEXT PRIMARY KEY,
            level BIGINT NOT NULL CHECK (level > 0),
            paused_until BIGINT NOT NULL,
            reason TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        );

        CREATE TABLE dkim_key (
            domain TEXT NOT NULL,
            selector TEXT NOT NULL,
            algorithm TEXT NOT NULL CHECK (algorithm IN ('rsa-sha256','ed25519-sha256')),
            private_key BYTEA NOT NULL,
            public_key TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (domain, selector)
        );

        CREATE TABLE sent_header (
            message_id BIGINT PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
            header BYTEA NOT NULL,
            sha256 TEXT NOT NULL,
            sent_at BIGINT NOT NULL
        );

        CREATE TABLE unknown_outcome (
            message_id BIGINT PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
            owner TEXT NOT NULL,
            header_message_id TEXT,
            action TEXT NOT NULL CHECK (action IN ('check-sent','resend','hold')),
            since BIGINT NOT NULL,
            due_at BIGINT,
            checks BIGINT NOT NULL DEFAULT 0,
            detail TEXT NOT NULL
        );
        CREATE INDEX unknown_outcome_due ON unknown_outcome (due_at) WHERE action = 'check-sent';

        CREATE TABLE api_token (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            owners TEXT,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        CREATE UNIQUE INDEX api_token_live_name ON api_token (name) WHERE revoked_at IS NULL;

        CREATE TABLE unsubscribe_token (
            token TEXT NOT NULL,
            address TEXT NOT NULL,
            owner TEXT NOT NULL,
            message_id BIGINT NOT NULL,
            PRIMARY KEY (token, address)
        );
        CREATE INDEX unsubscribe_token_by_message ON unsubscribe_token (message_id);
        CREATE TABLE unsubscription (
            owner TEXT NOT NULL,
            address TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            event_id BIGINT,
            message_id BIGINT,
            source TEXT NOT NULL,
            bounce_id BIGINT,
            PRIMARY KEY (owner, address)
        );
        CREATE INDEX unsubscription_by_address ON unsubscription (address);

        CREATE TABLE webhook_endpoint (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            owner TEXT,
            allow_http INTEGER NOT NULL DEFAULT 0,
            secret_sealed BYTEA NOT NULL,
            cursor BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE TABLE webhook_delivery (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
            event_id BIGINT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            last_status INTEGER,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            finished_at BIGINT,
            UNIQUE (endpoint_id, event_id)
        );
        CREATE INDEX webhook_delivery_due ON webhook_delivery (endpoint_id, next_attempt_at) WHERE state = 'pending';
        CREATE INDEX webhook_delivery_failed ON webhook_delivery (endpoint_id) WHERE state = 'failed';
        CREATE TABLE webhook_attempt (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            delivery_id BIGINT NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
            at BIGINT NOT NULL,
            status INTEGER,
            latency_ms BIGINT NOT NULL,
            error TEXT
        );
        CREATE INDEX webhook_attempt_by_delivery ON webhook_attempt (delivery_id);
        """
}
