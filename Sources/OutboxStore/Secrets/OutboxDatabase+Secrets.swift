import Foundation
import GRDB

/// Secrets at rest: passwords and OAuth tokens are stored sealed (``SealedSecret``) to the
/// public key kept in the database, so every process that may write profiles can seal,
/// and only a process that reads the private key (``SecretVault``) can open.
extension OutboxDatabase {
    /// The `setting` row holding the public key every writer seals to.
    public static let secretsPublicKeySetting = "secrets-public-key"

    /// Each secret field: its plain-text column (a value waiting to be sealed, from before
    /// `v7-sealed-secrets`) and its sealed column.
    static let secretColumns: [SecretContext.Field: (plain: String, sealed: String)] = [
        .password: ("secret", "secret_sealed"),
        .oauthRefreshToken: ("oauth_refresh_token", "oauth_refresh_sealed"),
        .oauthAccessToken: ("oauth_access_token", "oauth_access_sealed"),
    ]

    /// The database's public key, or nil before any process has published one.
    public func secretsPublicKey() throws -> SecretPublicKey? {
        try pool.read { db in try Self.secretsPublicKey(db) }
    }

    static func secretsPublicKey(_ db: Database) throws -> SecretPublicKey? {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = ?", arguments: [secretsPublicKeySetting])
        else { return nil }
        return try SecretPublicKey(text: text)
    }

    /// The key to seal with, inside a write transaction: the database's public key. With
    /// none yet, this process's key is published — created first at the key source when
    /// there is none, if this process owns the database file (so the key belongs to the
    /// user the database belongs to, never to an operator who happens to write first).
    func sealingKey(_ db: Database) throws -> SecretPublicKey {
        if let key = try Self.secretsPublicKey(db) { return key }
        let key = try existingOrNewKey()
        try db.execute(sql: "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                       arguments: [Self.secretsPublicKeySetting, key.publicKey.text])
        return key.publicKey
    }

    /// This process's key; when there is none at a key file, a new one written there if
    /// this process owns the database file.
    private func existingOrNewKey() throws -> SecretKey {
        try secrets.existingOrNewKey(mayCreate: ownsDatabaseFile, refusal: "no secrets key yet, and only the database's owner creates it: "
            + "start the service once, or run `outbox secrets init` as the user that owns \(path)")
    }

    /// Whether this process runs as the user that owns the database file.
    private var ownsDatabaseFile: Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_uid == geteuid()
    }

    /// `secret` sealed for `owner`'s `field`, inside a write transaction.
    func seal(_ secret: String, _ db: Database, owner: String, field: SecretContext.Field) throws -> Data {
        try SealedSecret.seal(secret, to: try sealingKey(db), context: SecretContext(owner: owner, field: field))
    }

    /// A secret field of a profile row: the opened value, or why it could not be opened.
    /// A plain-text value still waiting to be sealed is returned as it is.
    static func openSecret(_ row: Row, _ field: SecretContext.Field, owner: String, secrets: SecretVault) -> (value: String?, problem: SecretError?) {
        guard let columns = secretColumns[field] else { return (nil, nil) }
        guard let sealed = row[columns.sealed] as Data? else { return (row[columns.plain] as String?, nil) }
        do {
            return (try secrets.open(sealed, context: SecretContext(owner: owner, field: field)), nil)
        } catch {
            return (nil, error)
        }
    }

    /// Makes the database ready for the service: the key exists (created beside the
    /// database on first start), its public key is published, and plain-text secrets left
    /// from before `v7-sealed-secrets` are sealed. Returns the resulting status.
    public func prepareSecrets() throws -> SecretsStatus {
        _ = try pool.write { db in try sealingKey(db) }
        _ = try sealPendingSecrets()
        return try secretsStatus()
    }

    /// Seals every plain-text secret (left by `v7-sealed-secrets`) in one transaction and
    /// wipes the plain text from the database file and its WAL (see
    /// ``rewriteProfiles(_:)``). Returns how many values were sealed; 0 when none waited.
    @discardableResult
    public func sealPendingSecrets() throws -> Int {
        let waiting = try pool.read { db in try Self.pendingSecretCount(db) }
        guard waiting > 0 else { return 0 }
        return try rewriteProfiles { db, owner, field, plain, sealed in
            guard let plain else { return nil }
            return try seal(plain, db, owner: owner, field: field)
        }
    }

    static func pendingSecretCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(secret) + count(oauth_refresh_token) + count(oauth_access_token) FROM profile") ?? 0
    }

    /// Replaces the secrets key: every secret is opened with the current key and sealed to
    /// a new one, and the new public key published, in one transaction; nothing changes when
    /// any secret does not open. The new key is written first: to `newKeyFile` when given
    /// (the operator installs it, e.g. as a systemd credential), else beside the current key
    /// file, which it replaces once the transaction is committed.
    public func rotateSecretsKey(newKeyFile: String?) throws -> SecretsRotation {
        try secrets.rotate(published: try secretsPublicKey(), newKeyFile: newKeyFile) { old, new in
            try rewriteProfiles { db, owner, field, plain, sealed in
                let context = SecretContext(owner: owner, field: field)
                let value: String
                if let plain { value = plain } else if let sealed { value = try SealedSecret.open(sealed, with: old, context: context) } else { return nil }
                return try SealedSecret.seal(value, to: new.publicKey, context: context)
            } publishing: { db in
                try Self.resealDKIMKeys(db, from: old, to: new.publicKey)
                try Self.resealWebhookSecrets(db, from: old, to: new.publicKey)
                try db.execute(sql: "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                               arguments: [Self.secretsPublicKeySetting, new.publicKey.text])
            }
        }
    }

    /// Rewrites the secret columns of every profile in one transaction: `transform` gets
    /// each stored secret (plain text waiting to be sealed, or sealed) and returns the new
    /// sealed value, or nil to keep the row's value. Every row is deleted and inserted
    /// again with `secure_delete` on, so the replaced bytes are overwritten with zeros
    /// rather than left in free space; after the commit a TRUNCATE checkpoint copies the
    /// pages into the database file and empties the WAL, where older frames still hold them.
    private func rewriteProfiles(
        _ transform: (Database, String, SecretContext.Field, String?, Data?) throws -> Data?,
        publishing: ((Database) throws -> Void)? = nil
    ) throws -> Int {
        var count = 0
        try pool.writeWithoutTransaction { db in
            let previous = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = \(previous)") }
            try db.inTransaction {
                count = 0
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM profile")
                try db.execute(sql: "DELETE FROM profile")
                for row in rows {
                    let owner: String = row["owner"]
                    var values: [String: DatabaseValue] = [:]
                    for (column, value) in row { values[column] = value }
                    for (field, columns) in Self.secretColumns {
                        let plain = row[columns.plain] as String?, sealed = row[columns.sealed] as Data?
                        guard let replacement = try transform(db, owner, field, plain, sealed) else { continue }
                        values[columns.sealed] = replacement.databaseValue
                        values[columns.plain] = .null
                        count += 1
                    }
                    let names = values.keys.sorted()
                    try db.execute(sql: "INSERT INTO profile (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
                                   arguments: StatementArguments(names.map { values[$0]! }))
                }
                try publishing?(db)
                return .commit
            }
            _ = try? db.checkpoint(.truncate)
        }
        return count
    }
}

/// What `outbox secrets rotate-key` did.
public struct SecretsRotation: Sendable, Hashable {
    public let oldKeyID: String
    public let newKeyID: String
    /// Secrets sealed to the new key.
    public let resealed: Int
    /// Where the new private key is.
    public let newKeyPath: String
    /// Whether the new key replaced the key file (else it waits at `newKeyPath` to be installed).
    public let replacedKeyFile: Bool

    package init(oldKeyID: String, newKeyID: String, resealed: Int, newKeyPath: String, replacedKeyFile: Bool) {
        self.oldKeyID = oldKeyID
        self.newKeyID = newKeyID
        self.resealed = resealed
        self.newKeyPath = newKeyPath
        self.replacedKeyFile = replacedKeyFile
    }
}
