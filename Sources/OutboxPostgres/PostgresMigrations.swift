import Foundation
import Logging
import OutboxStore
import PostgresNIO

/// The PostgreSQL schema as named, append-only steps recorded in `outbox_migration`.
/// Names follow the SQLite sequence (``OutboxStore`` `OutboxMigrations`): the first step
/// creates what SQLite's v1…v17 build, for the tables phase 1 uses; a later SQLite step
/// `vN-…` that changes them gets a PostgreSQL step of the same name.
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
        // Connection caps and rate limits counted across nodes (PostgresSendLimits); no SQLite step: one node counts in memory.
        ("v23-send-limits", PostgresSendLimitSchema.step),
    ]

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            try await apply(connection, logger: logger)
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
    }

    private static func apply(_ connection: PostgresConnection, logger: Logger) async throws {
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
        for step in steps where !applied.contains(step.name) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in statements(step.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO outbox_migration (name) VALUES (\(step.name))", logger: logger)
            }
            logger.notice("applied PostgreSQL schema step \(step.name)")
        }
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
}
