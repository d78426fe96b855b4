import Foundation
package import OutboxCore

/// The rows of table `dkim_key` as both stores read and write them (SQLite here, PostgreSQL
/// in module OutboxPostgres): the private key sealed like the profile secrets, the signing
/// choice, and the wording of refusals, so the two stores keep keys and answer alike.
package enum DKIMKeyRows {
    /// One stored key's public columns.
    package typealias Listed = (domain: String, selector: String, algorithm: String, publicKey: String, createdAt: Int64)
    /// One stored key's sealed private part, with what names it.
    package typealias Sealed = (selector: String, algorithm: String, privateKey: Data)

    /// The owner a DKIM key is sealed for: its DNS name.
    package static func secretOwner(_ domain: String, _ selector: String) -> String { "\(selector)._domainkey.\(domain)" }

    /// `key` sealed to `publicKey` for `selector` of `domain` (column `private_key`).
    package static func seal(_ key: DKIMPrivateKey, domain: String, selector: String, to publicKey: SecretPublicKey) throws -> Data {
        try SealedSecret.seal(Data(key.storedBytes).base64EncodedString(), to: publicKey,
                              context: SecretContext(owner: secretOwner(domain, selector), field: .dkimPrivateKey))
    }

    /// The refusal to replace a stored key.
    package static func exists(domain: String, selector: String) -> StoreError {
        StoreError(.invalidState, "a DKIM key for selector '\(selector)' of \(domain) exists already: "
            + "choose a new selector (keys are rotated, never overwritten), or 'outbox dkim delete' it first")
    }

    /// `rows` (by domain, then age) as listed: the oldest key of each algorithm of a domain signs.
    package static func infos(_ rows: [Listed]) -> [DKIMKeyInfo] {
        var signing: Set<String> = []
        return rows.compactMap { row in
            guard let algorithm = DKIMAlgorithm(rawValue: row.algorithm) else { return nil }
            let isSigning = signing.insert("\(row.domain) \(algorithm.rawValue)").inserted
            return DKIMKeyInfo(domain: row.domain, selector: row.selector, algorithm: algorithm, publicKey: row.publicKey,
                               createdAt: row.createdAt, isSigning: isSigning)
        }
    }

    /// The keys of `domain` that sign (the oldest of each algorithm, RSA first), opened with
    /// `secrets`; `rows` are the domain's keys oldest first. Throws ``DKIMError`` when a key
    /// cannot be opened (no or the wrong secrets key) or read.
    package static func signingKeys(domain: String, _ rows: [Sealed], secrets: SecretVault) throws -> [DKIMSigningKey] {
        var keys: [DKIMSigningKey] = []
        for row in rows {
            let algorithm = try DKIMAlgorithm(keyType: row.algorithm)
            guard !keys.contains(where: { $0.privateKey.algorithm == algorithm }) else { continue }
            let opened: String
            do {
                opened = try secrets.open(row.privateKey, context: SecretContext(owner: secretOwner(domain, row.selector), field: .dkimPrivateKey))
            } catch {
                throw DKIMError(.unreadableKey, "DKIM key '\(row.selector)' of \(domain) cannot be opened: \(error.reason)")
            }
            do throws(DKIMError) {
                let bytes = Array(Data(base64Encoded: opened) ?? Data())
                keys.append(DKIMSigningKey(domain: domain, selector: row.selector, privateKey: try DKIMPrivateKey(algorithm: algorithm, storedBytes: bytes)))
            } catch {
                throw DKIMError(error.code, "DKIM key '\(row.selector)' of \(domain): \(error.reason)")
            }
        }
        return keys.sorted { $0.privateKey.algorithm == .rsaSHA256 && $1.privateKey.algorithm != .rsaSHA256 }
    }
}
