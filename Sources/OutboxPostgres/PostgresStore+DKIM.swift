import Foundation
public import OutboxCore
public import OutboxStore
import PostgresNIO

/// DKIM keys on PostgreSQL (table `dkim_key`), kept as on SQLite: the private key sealed to
/// the outbox's secrets public key (setting `secrets-public-key`, shared by every node), so
/// an operator may store keys without the private secrets key, and only the nodes that read
/// it can sign.
extension PostgresStore {
    /// Stores a new key as ``OutboxStore/OutboxDatabase/storeDKIMKey(domain:selector:key:now:)``:
    /// refuses to replace one, and lifts the holds a missing key caused (reasons starting
    /// `dkim:`) on every node.
    public func storeDKIMKey(domain: String, selector: String, key: DKIMPrivateKey, now: Int64, secrets: SecretVault) async throws -> DKIMKeyInfo {
        let logger = logger
        let info = try await transaction { connection in
            var exists = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM dkim_key WHERE domain = \(domain) AND selector = \(selector)", logger: logger).decode(Int.self) { exists = true }
            if exists { throw DKIMKeyRows.exists(domain: domain, selector: selector) }
            let publicKey = try await PostgresProfileStore.sealingKey(connection, logger: logger, secrets: secrets)
            let sealed = try DKIMKeyRows.seal(key, domain: domain, selector: selector, to: publicKey)
            // Another operator storing the same selector meanwhile: refused alike, not as a key violation.
            var inserted = false
            for try await _ in try await connection.query("""
                INSERT INTO dkim_key (domain, selector, algorithm, private_key, public_key, created_at)
                VALUES (\(domain), \(selector), \(key.algorithm.rawValue), \(sealed), \(key.publicKeyBase64), \(now))
                ON CONFLICT (domain, selector) DO NOTHING RETURNING 1
                """, logger: logger).decode(Int.self) { inserted = true }
            guard inserted else { throw DKIMKeyRows.exists(domain: domain, selector: selector) }
            var released: [String] = []
            for try await owner in try await connection.query("""
                DELETE FROM owner_pause WHERE kind = 'hold' AND starts_with(reason, 'dkim:') RETURNING owner
                """, logger: logger).decode(String.self) { released.append(owner) }
            if !released.isEmpty {
                try await connection.query("UPDATE profile SET held_until = NULL, held_reason = NULL WHERE owner = ANY(\(released))", logger: logger)
            }
            return try await Self.dkimKeyInfos(connection, logger: logger, domain: domain).first { $0.selector == selector }!
        }
        try await notifyClaimable()  // held mail of the domain may be sent now
        return info
    }

    /// The stored keys (no private parts), of one domain or of all, by domain and age.
    public func dkimKeys(domain: String? = nil) async throws -> [DKIMKeyInfo] {
        let logger = logger
        return try await client.withConnection { connection in try await Self.dkimKeyInfos(connection, logger: logger, domain: domain) }
    }

    /// Deletes a key; returns whether there was one.
    @discardableResult
    public func deleteDKIMKey(domain: String, selector: String) async throws -> Bool {
        var deleted = false
        for try await _ in try await client.query(
            "DELETE FROM dkim_key WHERE domain = \(domain) AND selector = \(selector) RETURNING 1", logger: logger).decode(Int.self) { deleted = true }
        return deleted
    }

    /// The keys that sign mail from `domain`, opened with `secrets`, as
    /// ``OutboxStore/OutboxDatabase/dkimSigningKeys(domain:)``.
    public func dkimSigningKeys(domain: String, secrets: SecretVault) async throws -> [DKIMSigningKey] {
        var rows: [DKIMKeyRows.Sealed] = []
        for try await (selector, algorithm, sealed) in try await client.query("""
            SELECT selector, algorithm, private_key FROM dkim_key WHERE domain = \(domain) ORDER BY created_at, selector
            """, logger: logger).decode((String, String, Data).self) { rows.append((selector, algorithm, sealed)) }
        return try DKIMKeyRows.signingKeys(domain: domain, rows, secrets: secrets)
    }

    private static func dkimKeyInfos(_ connection: PostgresConnection, logger: Logger, domain: String?) async throws -> [DKIMKeyInfo] {
        var rows: [DKIMKeyRows.Listed] = []
        for try await row in try await connection.query("""
            SELECT domain, selector, algorithm, public_key, created_at FROM dkim_key
            WHERE \(domain)::text IS NULL OR domain = \(domain) ORDER BY domain, created_at, selector
            """, logger: logger).decode((String, String, String, String, Int64).self) { rows.append(row) }
        return DKIMKeyRows.infos(rows)
    }
}
