import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore

/// The DKIM key operations of the `outbox dkim` commands on whichever outbox `--db` names:
/// the SQLite file, or the PostgreSQL outbox (sealed to the same secrets public key, read by
/// every node). Both answer alike, so the commands print the same.
extension DatabaseOptions {
    func storeDKIMKey(domain: String, selector: String, key: DKIMPrivateKey, now: Int64) throws -> DKIMKeyInfo {
        guard isPostgres else { return try Failure.guarding { try open().storeDKIMKey(domain: domain, selector: selector, key: key, now: now) } }
        let secrets = SecretVault(source: SecretKeySource.resolve(sharedStoreEnvironment: ProcessInfo.processInfo.environment))
        return try readPostgresStore { try await $0.storeDKIMKey(domain: domain, selector: selector, key: key, now: now, secrets: secrets) }
    }

    func dkimKeys(domain: String?) throws -> [DKIMKeyInfo] {
        guard isPostgres else { return try Failure.guarding { try open().dkimKeys(domain: domain) } }
        return try readPostgresStore { try await $0.dkimKeys(domain: domain) }
    }

    func deleteDKIMKey(domain: String, selector: String) throws -> Bool {
        guard isPostgres else { return try Failure.guarding { try open().deleteDKIMKey(domain: domain, selector: selector) } }
        return try readPostgresStore { try await $0.deleteDKIMKey(domain: domain, selector: selector) }
    }
}
