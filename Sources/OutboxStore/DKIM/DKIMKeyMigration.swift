import GRDB

/// `v10-dkim-keys`: DKIM private keys per signing domain and selector.
enum DKIMKeyMigration {
    static func migrate(_ db: Database) throws {
        // private_key holds the key sealed like the profile secrets (SealedSecret, context
        // field dkim-private-key, owner SELECTOR._domainkey.DOMAIN), never the key itself.
        try db.execute(sql: """
            CREATE TABLE dkim_key (
                domain TEXT NOT NULL,
                selector TEXT NOT NULL,
                algorithm TEXT NOT NULL CHECK (algorithm IN ('rsa-sha256','ed25519-sha256')),
                private_key BLOB NOT NULL,
                public_key TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (domain, selector)
            ) WITHOUT ROWID;
            """)
    }
}
