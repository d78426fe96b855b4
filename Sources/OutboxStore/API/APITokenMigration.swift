import GRDB

/// `v15-api-tokens`: the HTTP API's application tokens. Only the SHA-256 of a token is
/// kept; the token itself is shown once, when it is created.
enum APITokenMigration {
    static func migrate(_ db: Database) throws {
        // owners: a JSON array of the owners the token may act for; NULL: every owner.
        try db.execute(sql: """
            CREATE TABLE api_token (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                token_sha256 TEXT NOT NULL UNIQUE,
                owners TEXT,
                created_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE UNIQUE INDEX api_token_live_name ON api_token(name) WHERE revoked_at IS NULL;
            """)
    }
}
