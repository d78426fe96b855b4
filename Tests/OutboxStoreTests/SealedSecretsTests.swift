import Foundation
import GRDB
import OutboxCore
import OutboxTestSupport
import Testing
@testable import OutboxStore

/// Secrets at rest against real temporary databases: what reaches the database file and
/// its WAL (grepped byte for byte), the `v7-sealed-secrets` migration, key rotation, and a
/// missing or wrong key.
@Suite struct SealedSecretsTests {
    @Test func aSavedPasswordNeverReachesTheDatabaseFileOrItsWAL() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let password = "pw-" + UUID().uuidString
        try save(outbox.database, "mari", password: password)

        #expect(outbox.filesContaining("smtp.mari.example") == ["outbox.db-wal"])  // the row is there, before a checkpoint
        #expect(outbox.filesContaining(password).isEmpty)
        #expect(try outbox.database.profileFields(owner: "mari")?.secret == password)
        try outbox.checkpoint()
        #expect(outbox.filesContaining("smtp.mari.example") == ["outbox.db"])
        #expect(outbox.filesContaining(password).isEmpty)

        // Created beside the database on first use: 0600, this process's user; its public half published.
        let key = try FileManager.default.attributesOfItem(atPath: outbox.directory + "/secrets.key")
        #expect(key[.posixPermissions] as? Int == 0o600)
        #expect((key[.ownerAccountID] as? NSNumber)?.uint32Value == geteuid())
        #expect(try outbox.database.secretsPublicKey()?.id == outbox.database.secrets.key().id)
        let status = try outbox.database.secretsStatus()
        #expect(status.sealed == 1 && status.pending == 0 && status.unopenable.isEmpty)
    }

    @Test func theMigrationSealsPasswordsAndTokensStoredInPlainTextBefore() throws {
        let directory = NSTemporaryDirectory() + "outbox-sealing-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/outbox.db"
        let deleted = "deleted-pw-" + UUID().uuidString, password = "pw-" + UUID().uuidString
        let refresh = "rt-" + UUID().uuidString, access = "at-" + UUID().uuidString
        do {
            let queue = try DatabaseQueue(path: path)
            // WAL, as Outbox runs; secure_delete off, as some SQLite builds have it (Debian's has it on).
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA secure_delete = OFF") }
            try OutboxMigrations.migrator.migrate(queue, upTo: "v5-profile-max-connections")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO profile (owner, mode, host, username, secret, updated_at) VALUES ('gone', 'smtp', 'smtp.gone.example', 'gone', ?, 1)",
                               arguments: [deleted])
                try db.execute(sql: "INSERT INTO profile (owner, mode, host, username, secret, updated_at) VALUES ('old', 'smtp', 'smtp.old.example', 'old', ?, 1)",
                               arguments: [password])
                try db.execute(sql: "DELETE FROM profile WHERE owner = 'gone'")  // its bytes stay in the page's free space
                try db.execute(sql: """
                    INSERT INTO profile (owner, mode, username, oauth_authority, oauth_client_id, oauth_refresh_token, oauth_access_token,
                                         oauth_expires_at, updated_at)
                    VALUES ('anne', 'm365-oauth', 'anne@firma.example', 'https://login.example', 'client', ?, ?, 5, 1)
                    """, arguments: [refresh, access])
            }
        }
        let plain = [deleted, password, refresh, access]
        #expect(plain.allSatisfy { !FileGrep.files(in: directory, containing: $0).isEmpty })  // what is there before

        let outbox = try OutboxDatabase(path: path)
        for secret in plain { #expect(FileGrep.files(in: directory, containing: secret).isEmpty, "\(secret.prefix(3))…") }
        #expect(try outbox.profileFields(owner: "old")?.secret == password)
        let tokens = try #require(try outbox.oauthColumns(owner: "anne"))
        #expect(tokens.refreshToken == refresh && tokens.accessToken == access && tokens.tokensUnavailable == nil)
        let status = try outbox.secretsStatus()
        #expect(status.sealed == 3 && status.pending == 0)

        // Later writes (in the WAL, then checkpointed) bring none of them back.
        var change = ProfileFields()
        change.fromAddress = "old@old.example"
        try outbox.saveProfile(owner: "old", fields: change, secretCredential: nil, clear: [], now: 2)
        try outbox.saveOAuthTokens(owner: "anne", refreshToken: nil, accessToken: "at2-" + UUID().uuidString, expiresAt: 9)
        for secret in plain { #expect(FileGrep.files(in: directory, containing: secret).isEmpty) }
        try outbox.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        for secret in plain { #expect(FileGrep.files(in: directory, containing: secret).isEmpty) }
        #expect(try outbox.profileFields(owner: "old")?.secret == password)
        #expect(try outbox.oauthColumns(owner: "anne")?.refreshToken == refresh)
    }

    @Test func rotateKeySealsEverySecretToANewKeyThatReplacesTheOld() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        try save(outbox.database, "a", password: "pw-a")
        try save(outbox.database, "b", password: "pw-b")
        try outbox.database.saveOAuthAuthorisation(owner: "c", authority: "https://login.example", tenant: "t", clientID: "id",
                                                   refreshToken: "rt-c", accessToken: "at-c", expiresAt: 5, now: 1)
        let keyPath = outbox.directory + "/secrets.key"
        let oldKeyCopy = outbox.directory + "/old.key"
        try FileManager.default.copyItem(atPath: keyPath, toPath: oldKeyCopy)
        let oldID = try outbox.database.secrets.key().id

        let rotation = try outbox.database.rotateSecretsKey(newKeyFile: nil)
        #expect(rotation.oldKeyID == oldID && rotation.newKeyID != oldID && rotation.resealed == 4 && rotation.replacedKeyFile)
        #expect(try outbox.database.secretsPublicKey()?.id == rotation.newKeyID)
        #expect(!FileManager.default.fileExists(atPath: keyPath + ".new"))
        #expect(try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int == 0o600)
        #expect(try outbox.database.profileFields(owner: "a")?.secret == "pw-a")
        #expect(try outbox.database.profileFields(owner: "b")?.secret == "pw-b")
        #expect(try outbox.database.oauthColumns(owner: "c")?.refreshToken == "rt-c")

        // The old key opens nothing any more, a fresh process with the new key file everything.
        let withOldKey = try OutboxDatabase(path: outbox.database.path, secretKey: .file(oldKeyCopy))
        let problem = try #require(try withOldKey.profileFields(owner: "a")?.secretUnavailable)
        #expect(problem.cause == .sealedSecret && problem.reason.contains("sealed for secrets key \(rotation.newKeyID), but this process has key \(oldID)"))
        #expect(try OutboxDatabase(path: outbox.database.path).secretsStatus().unopenable.isEmpty)
    }

    @Test func aRotationThatCannotOpenEverySecretChangesNothing() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        try save(outbox.database, "a", password: "pw-a")
        let before = try outbox.sealedColumns()
        try outbox.database.pool.write { db in
            try db.execute(sql: "UPDATE profile SET secret_sealed = (SELECT secret_sealed FROM profile WHERE owner = 'a') || x'00' WHERE owner = 'a'")
        }
        let damaged = try outbox.sealedColumns()
        #expect(throws: SecretError.self) { try outbox.database.rotateSecretsKey(newKeyFile: nil) }
        #expect(try outbox.sealedColumns() == damaged && damaged != before)
        #expect(!FileManager.default.fileExists(atPath: outbox.directory + "/secrets.key.new"))
        #expect(try outbox.database.secretsPublicKey()?.id == outbox.database.secrets.key().id)
    }

    @Test func aMissingOrWrongKeyLeavesEverySecretIntactUntilTheRightKeyIsBack() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        try save(outbox.database, "mari", password: "pw-mari")
        let sealed = try outbox.sealedColumns()
        let keyPath = outbox.directory + "/secrets.key", awayPath = outbox.directory + "/away.key"
        try FileManager.default.moveItem(atPath: keyPath, toPath: awayPath)

        let keyless = try OutboxDatabase(path: outbox.database.path)
        let missing = try #require(try keyless.profileFields(owner: "mari"))
        #expect(missing.secret == nil && missing.secretUnavailable?.cause == .sealedSecret && missing.secretUnavailable?.reason.contains("no secrets key") == true)
        #expect(!FileManager.default.fileExists(atPath: keyPath))  // never replaced by a new key while secrets are sealed
        // Other changes keep the sealed password; new secrets are still sealed (to the database's public key).
        var change = ProfileFields()
        change.fromAddress = "mari@firma.example"
        try keyless.saveProfile(owner: "mari", fields: change, secretCredential: nil, clear: [], now: 3)
        try save(keyless, "jaan", password: "pw-jaan")
        #expect(try outbox.sealedColumns()["mari"] == sealed["mari"])

        let other = try TemporaryOutbox()
        defer { other.cleanUp() }
        try save(other.database, "x", password: "x")  // creates another key
        let wrong = try OutboxDatabase(path: outbox.database.path, secretKey: .file(other.directory + "/secrets.key"))
        let mismatch = try #require(try wrong.profileFields(owner: "mari")?.secretUnavailable)
        #expect(mismatch.reason.contains("is sealed for secrets key \(try outbox.database.secrets.key().id)"))
        #expect(try wrong.secretsStatus().unopenable.count == 2)

        try FileManager.default.moveItem(atPath: awayPath, toPath: keyPath)
        let restored = try OutboxDatabase(path: outbox.database.path)
        #expect(try restored.profileFields(owner: "mari")?.secret == "pw-mari")
        #expect(try restored.profileFields(owner: "jaan")?.secret == "pw-jaan")
        #expect(try restored.profileFields(owner: "mari")?.fromAddress == "mari@firma.example")
    }

    @Test func aSealedPasswordCopiedToAnotherOwnerDoesNotOpen() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        try save(outbox.database, "boss", password: "pw-boss")
        try save(outbox.database, "intern", password: "pw-intern")
        try outbox.database.pool.write { db in
            try db.execute(sql: "UPDATE profile SET secret_sealed = (SELECT secret_sealed FROM profile WHERE owner = 'boss') WHERE owner = 'intern'")
        }
        let fields = try #require(try outbox.database.profileFields(owner: "intern"))
        #expect(fields.secret == nil && fields.secretUnavailable?.reason.contains("copied from another owner or field") == true)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give the database to another user"))
    func onlyTheDatabaseOwnerCreatesTheKey() throws {
        let directory = NSTemporaryDirectory() + "outbox-owner-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/outbox.db"
        _ = try OutboxDatabase(path: path)
        #expect(chown(path, 65534, 65534) == 0)
        let operator_ = try OutboxDatabase(path: path)
        let error = try #require(throws: SecretError.self) { try save(operator_, "mari", password: "pw") }
        #expect(error.code == .noPublicKey)
        #expect(!FileManager.default.fileExists(atPath: directory + "/secrets.key"))
        #expect(try operator_.profile(owner: "mari") == nil)
    }

    private func save(_ database: OutboxDatabase, _ owner: String, password: String) throws {
        var fields = ProfileFields()
        fields.mode = .smtp
        fields.host = "smtp.\(owner).example"
        fields.username = owner
        fields.secret = password
        try database.saveProfile(owner: owner, fields: fields, secretCredential: nil, clear: [], now: 1)
    }
}

extension TemporaryOutbox {
    func filesContaining(_ text: String) -> [String] { FileGrep.files(in: directory, containing: text) }

    func checkpoint() throws { try database.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } }

    /// Each owner's sealed password bytes.
    func sealedColumns() throws -> [String: Data] {
        try database.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT owner, secret_sealed FROM profile WHERE secret_sealed IS NOT NULL")
                .map { ($0["owner"] as String, $0["secret_sealed"] as Data) })
        }
    }
}
