import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Prefix of every token, so a leaked one is recognisable in a secret scanner.
    public static let apiTokenPrefix = APITokens.prefix

    /// Creates a token for application `name`, limited to `owners` when given (nil: every
    /// owner). Returns the token — the only time it exists outside the caller — and its record.
    public func createAPIToken(name: String, owners: [String]?, now: Int64) throws -> (token: String, record: APITokenRecord) {
        try APITokens.validate(name: name, owners: owners)
        let token = APITokens.make()
        let ownersJSON = try APITokens.ownersColumn(owners)
        do {
            let record = try pool.write { db -> APITokenRecord in
                if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_token WHERE name = ? AND revoked_at IS NULL)", arguments: [name]) == true {
                    throw APITokens.nameTaken(name)
                }
                try db.execute(sql: "INSERT INTO api_token (name, token_sha256, owners, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [name, APITokens.hash(token), ownersJSON, now])
                return APITokenRecord(row: try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE id = ?", arguments: [db.lastInsertedRowID])!)
            }
            return (token, record)
        } catch let error as DatabaseError {
            throw StoreError.from(error, doing: "cannot store the API token in \(path)", path: path)
        }
    }

    /// Every token, newest first, revoked ones included.
    public func apiTokens() throws -> [APITokenRecord] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_token ORDER BY id DESC").map(APITokenRecord.init(row:)) }
    }

    /// Revokes the token named `name`; throws ``StoreError/Code/notFound`` when there is no live one.
    public func revokeAPIToken(name: String, now: Int64) throws {
        let changed = try pool.write { db in
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                           arguments: [now, name])
            return db.changesCount
        }
        guard changed > 0 else { throw APITokens.noLiveToken(name) }
    }

    /// The live token whose SHA-256 matches `token`, or nil. Tokens are looked up by
    /// their hash, so the comparison does not depend on how much of a guess is right.
    public func authenticateAPIToken(_ token: String) throws -> APITokenRecord? {
        guard APITokens.isPlausible(token) else { return nil }
        let sha = APITokens.hash(token)
        return try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_token WHERE token_sha256 = ? AND revoked_at IS NULL", arguments: [sha])
                .map(APITokenRecord.init(row:))
        }
    }
}
