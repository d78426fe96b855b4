import GRDB

/// Schema step for profiles beyond v1: the HTTP/Maildir target and OAuth state.
enum ProfileMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE profile ADD COLUMN url TEXT;
            ALTER TABLE profile ADD COLUMN secret_credential TEXT;
            ALTER TABLE profile ADD COLUMN oauth_authority TEXT;
            ALTER TABLE profile ADD COLUMN oauth_tenant TEXT;
            ALTER TABLE profile ADD COLUMN oauth_client_id TEXT;
            ALTER TABLE profile ADD COLUMN oauth_refresh_token TEXT;
            ALTER TABLE profile ADD COLUMN oauth_access_token TEXT;
            ALTER TABLE profile ADD COLUMN oauth_expires_at INTEGER;
            """)
    }

    /// `v9-profile-from-login`: whether an owner's own login may become the From (NULL: inherited, default on).
    static func addFromLogin(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE profile ADD COLUMN from_login INTEGER")
    }

    /// `v20-oauth-provider`: whose endpoints the OAuth state belongs to (NULL: Microsoft, as
    /// before) and the systemd credential holding the OAuth client secret (Google's Desktop
    /// app clients send one; the secret itself is never stored).
    static func addOAuthProvider(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE profile ADD COLUMN oauth_provider TEXT;
            ALTER TABLE profile ADD COLUMN oauth_client_secret_credential TEXT;
            """)
    }
}
