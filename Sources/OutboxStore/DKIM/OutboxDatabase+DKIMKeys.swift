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
                throw StoreError(.invalidState, "a DKIM key for selector '\(selector)' of \(domain) exists already: "
                    + "choose a new selector (keys are rotated, never overwritten), or 'outbox dkim delete' it first")
            }
            let sealed = try seal(Data(key.storedBytes).base64EncodedString(), db, owner: Self.dkimSecretOwner(domain, selector), field: .dkimPrivateKey)
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
        var keys: [DKIMSigningKey] = []
        for row in rows {
            let selector: String = row["selector"]
            let name: String = row["algorithm"]
            let algorithm = try DKIMAlgorithm(keyType: name)
            guard !keys.contains(where: { $0.privateKey.algorithm == algorithm }) else { continue }
            let sealed: Data = row["private_key"]
            let opened: String
            do { opened = try secrets.open(sealed, context: SecretContext(owner: Self.dkimSecretOwner(domain, selector), field: .dkimPrivateKey)) } catch {
                throw DKIMError(.unreadableKey, "DKIM key '\(selector)' of \(domain) cannot be opened: \(error.reason)")
            }
            do throws(DKIMError) {
                let bytes = Array(Data(base64Encoded: opened) ?? Data())
                keys.append(DKIMSigningKey(domain: domain, selector: selector, privateKey: try DKIMPrivateKey(algorithm: algorithm, storedBytes: bytes)))
            } catch {
                throw DKIMError(error.code, "DKIM key '\(selector)' of \(domain): \(error.reason)")
            }
        }
        return keys.sorted { $0.privateKey.algorithm == .rsaSHA256 && $1.privateKey.algorithm != .rsaSHA256 }
    }

    /// The owner a DKIM key is sealed for: its DNS name.
    package static func dkimSecretOwner(_ domain: String, _ selector: String) -> String { "\(selector)._domainkey.\(domain)" }

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
        var signing: Set<String> = []
        return rows.compactMap { row in
            guard let algorithm = DKIMAlgorithm(rawValue: row["algorithm"]) else { return nil }
            let domain: String = row["domain"]
            let isSigning = signing.insert("\(domain) \(algorithm.rawValue)").inserted
            return DKIMKeyInfo(domain: domain, selector: row["selector"], algorithm: algorithm, publicKey: row["public_key"],
                               createdAt: row["created_at"], isSigning: isSigning)
        }
    }
}
