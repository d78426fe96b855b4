import OutboxCore
public import OutboxStore
import PostgresNIO

/// The HTTP API's application tokens on PostgreSQL, as `OutboxDatabase+APITokens` keeps
/// them on SQLite: only the SHA-256 of a token is stored, and one live token per name
/// (the partial unique index decides between two nodes creating the same name at once).
extension PostgresStore: APITokenStore {
    public func createAPIToken(name: String, owners: [String]?, now: Int64) async throws -> (token: String, record: APITokenRecord) {
        try APITokens.validate(name: name, owners: owners)
        let token = APITokens.make()
        let ownersColumn = try APITokens.ownersColumn(owners)
        var record: APITokenRecord?
        for try await row in try await client.query("""
            INSERT INTO api_token (name, token_sha256, owners, created_at) VALUES (\(name), \(APITokens.hash(token)), \(ownersColumn), \(now))
            ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
            RETURNING \(unescaped: Self.tokenColumns)
            """, logger: logger).decode((Int64, String, String?, Int64, Int64?).self) { record = Self.record(row) }
        guard let record else { throw APITokens.nameTaken(name) }
        return (token, record)
    }

    public func apiTokens() async throws -> [APITokenRecord] {
        var records: [APITokenRecord] = []
        for try await row in try await client.query("SELECT \(unescaped: Self.tokenColumns) FROM api_token ORDER BY id DESC", logger: logger)
            .decode((Int64, String, String?, Int64, Int64?).self) { records.append(Self.record(row)) }
        return records
    }

    public func revokeAPIToken(name: String, now: Int64) async throws {
        var revoked = false
        for try await _ in try await client.query("""
            UPDATE api_token SET revoked_at = \(now) WHERE name = \(name) AND revoked_at IS NULL RETURNING 1
            """, logger: logger).decode(Int.self) { revoked = true }
        guard revoked else { throw APITokens.noLiveToken(name) }
    }

    /// The token is looked up by its hash, so the comparison does not depend on how much of a guess is right.
    public func authenticateAPIToken(_ token: String) async throws -> APITokenRecord? {
        guard APITokens.isPlausible(token) else { return nil }
        var record: APITokenRecord?
        for try await row in try await client.query("""
            SELECT \(unescaped: Self.tokenColumns) FROM api_token WHERE token_sha256 = \(APITokens.hash(token)) AND revoked_at IS NULL
            """, logger: logger).decode((Int64, String, String?, Int64, Int64?).self) { record = Self.record(row) }
        return record
    }

    private static let tokenColumns = "id, name, owners, created_at, revoked_at"

    private static func record(_ row: (Int64, String, String?, Int64, Int64?)) -> APITokenRecord {
        .stored(id: row.0, name: row.1, owners: row.2, createdAt: row.3, revokedAt: row.4)
    }
}
