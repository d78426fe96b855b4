import Foundation
import GRDB
public import OutboxCore

extension OutboxDatabase {
    /// Stores a new key for `domain` and `selector` (both already checked with
    /// ``DKIMName``), sealed like the profile secrets. Refuses to replace an existing one.
    /// Lifts the holds that a missing DKIM key caused (reasons starting `dkim:`), so held
    /// mail is tried again.
    public func storeDKIMKey(domain: String, selector: String, key: DKIMPrivateKey, now: Int64) throws -> DKIMKeyInfo {
        try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM dkim_key WHERE domain = ? AND selector = ?)",
                                 arguments: [domain, selector]) == true {
                throw DKIMKeyRows.exists(domain: domain, selector: selector)
            }
            let sealed = try DKIMKeyRows.seal(key, domain: domain, selector: selector, to: try sealingKey(db))
            try db.execute(sql: """
                INSERT INTO dkim_key (domain, selector, algorithm, private_key, public_key, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [domain, selector, key.algorithm.rawValue, sealed, key.publicKeyBase64, now])
            let released = try String.fetchAll(db, sql: "DELETE FROM owner_pause WHERE kind = 'hold' AND reason LIKE 'dkim:%' RETURNING owner")
            for owner in released {
                try db.execute(sql: "UPDATE profile SET held_until = NULL, held_reason = NULL WHERE owner = ?", arguments: [owner])
            }
            return try Self.dkimKeyInfos(db, domain: domain).first { $0.selector == selector }!
        }
    }

    /// The stored keys (no private parts), of one domain or of all, by domain and age.
    public func dkimKeys(domain: String? = nil) throws -> [DKIMKeyInfo] {
        try pool.read { db in try Self.dkimKeyInfos(db, domain: domain) }
    }

    /// Deletes a key; returns whether there was one.
    @discardableResult
    public func deleteDKIMKey(domain: String, selector: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM dkim_key WHERE domain = ? AND selector = ?", arguments: [domain, selector])
            return db.changesCount > 0
        }
    }

    /// The keys that sign mail from `domain` (the oldest of each algorithm, RSA first),
    /// opened for signing. Empty when the domain has none; throws ``DKIMError`` when a
    /// stored key cannot be opened (no or the wrong secrets key) or read.
    public func dkimSigningKeys(domain: String) throws -> [DKIMSigningKey] {
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT selector, algorithm, private_key FROM dkim_key WHERE domain = ? ORDER BY created_at, selector",
                             arguments: [domain])
        }
        return try DKIMKeyRows.signingKeys(domain: domain, rows.map { ($0["selector"], $0["algorithm"], $0["private_key"]) }, secrets: secrets)
    }

    /// The owner a DKIM key is sealed for: its DNS name.
    package static func dkimSecretOwner(_ domain: String, _ selector: String) -> String { DKIMKeyRows.secretOwner(domain, selector) }

    /// Seals every DKIM key to `newKey` (inside the secrets key rotation's transaction).
    static func resealDKIMKeys(_ db: Database, from oldKey: SecretKey, to newKey: SecretPublicKey) throws {
        for row in try Row.fetchAll(db, sql: "SELECT domain, selector, private_key FROM dkim_key") {
            let context = SecretContext(owner: dkimSecretOwner(row["domain"], row["selector"]), field: .dkimPrivateKey)
            let value = try SealedSecret.open(row["private_key"], with: oldKey, context: context)
            try db.execute(sql: "UPDATE dkim_key SET private_key = ? WHERE domain = ? AND selector = ?",
                           arguments: [try SealedSecret.seal(value, to: newKey, context: context), row["domain"], row["selector"]])
        }
    }

    private static func dkimKeyInfos(_ db: Database, domain: String?) throws -> [DKIMKeyInfo] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT domain, selector, algorithm, public_key, created_at FROM dkim_key
            WHERE ?1 IS NULL OR domain = ?1 ORDER BY domain, created_at, selector
            """, arguments: [domain])
        return DKIMKeyRows.infos(rows.map { ($0["domain"], $0["selector"], $0["algorithm"], $0["public_key"], $0["created_at"]) })
    }
}
