import GRDB

/// Schema step `v7-sealed-secrets`: sealed BLOB columns beside the plain-text secret
/// columns. The step cannot seal (a migration has no key); a plain-text value left in
/// `secret`, `oauth_refresh_token` or `oauth_access_token` is a value waiting to be
/// sealed, and the first process that has the public key seals it (see
/// ``OutboxDatabase/sealPendingSecrets()``): usually the same process, right after it
/// migrated.
enum SecretsMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE profile ADD COLUMN secret_sealed BLOB;
            ALTER TABLE profile ADD COLUMN oauth_refresh_sealed BLOB;
            ALTER TABLE profile ADD COLUMN oauth_access_sealed BLOB;
            """)
    }
}
