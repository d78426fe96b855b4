import Foundation
import GRDB

/// The state of secrets at rest, as `outbox secrets status` shows it. Holds key ids and
/// owners, never a secret.
public struct SecretsStatus: Sendable, Hashable {
    /// Where this process looks for the private key.
    public let source: SecretKeySource
    /// The id of the key this process read, or nil (then `keyProblem` says why).
    public let keyID: String?
    public let keyProblem: String?
    /// The id of the public key in the database (every writer seals to it), or nil before the first key.
    public let databaseKeyID: String?
    /// Sealed values stored.
    public let sealed: Int
    /// Plain-text values waiting to be sealed (from before `v7-sealed-secrets`).
    public let pending: Int
    /// Sealed values this process could not open, one line each: owner, field and why.
    public let unopenable: [String]

    package init(source: SecretKeySource, keyID: String?, keyProblem: String?, databaseKeyID: String?, sealed: Int, pending: Int, unopenable: [String]) {
        self.source = source
        self.keyID = keyID
        self.keyProblem = keyProblem
        self.databaseKeyID = databaseKeyID
        self.sealed = sealed
        self.pending = pending
        self.unopenable = unopenable
    }
}

extension OutboxDatabase {
    /// Reads the key and tries every sealed value with it.
    public func secretsStatus() throws -> SecretsStatus {
        var keyID: String?, keyProblem: String?
        do { keyID = try secrets.key().id } catch { keyProblem = error.reason }
        return try pool.read { db in
            var sealed = 0
            var unopenable: [String] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM profile ORDER BY owner") {
                let owner: String = row["owner"]
                for field in SecretContext.Field.allCases {
                    guard let columns = Self.secretColumns[field], row[columns.sealed] as Data? != nil else { continue }
                    sealed += 1
                    if keyID != nil, let problem = Self.openSecret(row, field, owner: owner, secrets: secrets).problem {
                        unopenable.append(problem.reason)
                    }
                }
            }
            return SecretsStatus(source: secrets.source, keyID: keyID, keyProblem: keyProblem,
                                 databaseKeyID: try Self.secretsPublicKey(db)?.id, sealed: sealed,
                                 pending: try Self.pendingSecretCount(db), unopenable: unopenable)
        }
    }
}
