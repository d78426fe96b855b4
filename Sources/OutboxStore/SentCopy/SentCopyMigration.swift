import GRDB

/// Schema step `v8-profile-sent-copy`: the IMAP folder (and optional server and login)
/// that gets a copy of every message a profile sends.
enum SentCopyMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE profile ADD COLUMN sent_copy_folder TEXT;
            ALTER TABLE profile ADD COLUMN sent_copy_url TEXT;
            ALTER TABLE profile ADD COLUMN sent_copy_user TEXT;
            """)
    }
}
