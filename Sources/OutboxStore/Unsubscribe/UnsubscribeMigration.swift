import GRDB

/// Schema step v13: message kinds and unsubscription (List-Unsubscribe on letters).
///
/// - `message.kind`: `transactional` (also every message from before), `invoice`, `letter`.
/// - `unsubscribe_token`: per letter, its token and the owner and `to` addresses it stands
///   for. No foreign key: a purged letter's link still unsubscribes.
/// - `unsubscription`: an address that unsubscribed from one owner's letters; the claim
///   marks such a recipient of that owner's letters `suppressed` (never other kinds, never
///   other owners' mail). Kept apart from `suppression`, which stops all mail to an address.
enum UnsubscribeMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE message ADD COLUMN kind TEXT NOT NULL DEFAULT 'transactional'
                CHECK (kind IN ('transactional','invoice','letter'));

            CREATE TABLE unsubscribe_token (
                token TEXT NOT NULL,
                address TEXT NOT NULL,
                owner TEXT NOT NULL,
                message_id INTEGER NOT NULL,
                PRIMARY KEY (token, address)
            ) WITHOUT ROWID;
            CREATE INDEX unsubscribe_token_by_message ON unsubscribe_token(message_id);

            CREATE TABLE unsubscription (
                owner TEXT NOT NULL,
                address TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                event_id INTEGER,
                message_id INTEGER,
                source TEXT NOT NULL,
                bounce_id INTEGER,
                PRIMARY KEY (owner, address)
            ) WITHOUT ROWID;
            CREATE INDEX unsubscription_by_address ON unsubscription(address);
            """)
    }
}
