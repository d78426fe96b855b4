import GRDB

/// Schema step v11: fewer pages written per enqueued message and per delivery outcome,
/// and compressed storage. Nothing stored is rewritten: existing rows stay readable as
/// they are.
///
/// - `event_by_kind` goes: every event paid an insert into it, and no hot query needs
///   it (`events --kind` pages through the log in id order; rate limits read
///   `event_sent_by_owner`).
/// - `message_by_state` becomes ``openStateIndex``, partial on `state <> 'sent'`: a
///   delivered message leaves it instead of moving into an ever-growing `sent` region, so
///   each outcome writes one index entry fewer and the index holds only the messages an
///   operator looks for by state (queued, sending, deferred, failed, cancelled). A query
///   for such a state also says `state <> 'sent'` (``openStateTerm(_:)``), which SQLite
///   needs to see before it uses a partial index.
/// - `recipient_by_message` goes: `recipient_by_message_address` starts with the same
///   column and serves its queries (and the cascade from `message`).
/// - The per-row trigger counting inserted messages goes: the enqueue adds its batch's
///   counts to `message_count` once (``BatchWriter``), the only place messages are inserted.
/// - `content.encoding`: NULL for data stored as given, `zlib` for compressed data
///   (``StoredBytes``). Bodies need no column: a compressed body is a BLOB, a plain one TEXT.
enum ThroughputMigration {
    /// The partial index on the state of messages not (yet) sent.
    static let openStateIndex = "message_by_open_state"

    /// The term a query by a state other than `sent` adds so SQLite uses ``openStateIndex``.
    static func openStateTerm(_ column: String) -> String { "\(column) <> 'sent'" }

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS event_by_kind;
            DROP INDEX IF EXISTS message_by_state;
            CREATE INDEX \(openStateIndex) ON message(state) WHERE state <> 'sent';
            DROP INDEX IF EXISTS recipient_by_message;
            DROP TRIGGER IF EXISTS message_count_insert;
            ALTER TABLE content ADD COLUMN encoding TEXT;
            """)
    }
}
