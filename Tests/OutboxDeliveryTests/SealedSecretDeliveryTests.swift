import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import Testing

/// Delivery with sealed passwords against a real aiosmtpd with AUTH: the sealed password
/// authenticates; a process without the right key holds the profile with the reason and
/// sends nothing, and once the key is back the same sealed password works again.
@Suite(.serialized) struct SealedSecretDeliveryTests {
    @Test func aSealedPasswordAuthenticatesAndAMissingOrWrongKeyHoldsTheProfileUntilTheKeyIsBack() throws {
        let password = "pw-" + UUID().uuidString
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--user", "mailer", "--password", password])
        defer { server.stop(); fixture.cleanUp() }
        let fields = ProfileFields.loopbackSMTP(port: server.port, user: "mailer", password: password)
        try fixture.outbox.saveProfile(owner: "alice", fields: fields, secretCredential: nil, clear: [], now: 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM profile WHERE secret IS NULL AND secret_sealed IS NOT NULL") == 1)
        let sealed = try fixture.sql.read { db in try Data.fetchOne(db, sql: "SELECT secret_sealed FROM profile") }

        try fixture.enqueue(2, owner: "alice")
        #expect(DeliveryEngine(database: fixture.outbox, configuration: OutboxFixture.configuration(workers: 1)).drain().sent == 2)
        #expect(try server.events().contains { $0.event == "auth" && $0.user == "mailer" && $0.success == true })

        // The key file moved away: held with the reason, nothing sent, no login tried.
        let keyPath = fixture.directory + "/secrets.key", awayPath = fixture.directory + "/away.key"
        try FileManager.default.moveItem(atPath: keyPath, toPath: awayPath)
        try fixture.enqueue(1, owner: "alice")
        let logins = try server.events().filter { $0.event == "auth" }.count
        let keyless = try OutboxDatabase(path: fixture.path)
        let missing = DeliveryEngine(database: keyless, configuration: OutboxFixture.configuration(workers: 1)).drain()
        #expect(missing.held == 1 && missing.sent == 0)
        let reason = try #require(try keyless.profile(owner: "alice")?.heldReason)
        #expect(reason.hasPrefix("secrets: no secrets key: key file \(keyPath) does not exist"), "\(reason)")
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'profile-held' AND detail = ?", [reason]) == 1)
        #expect(try server.events().filter { $0.event == "auth" }.count == logins)
        #expect(try fixture.states() == ["sent": 2, "queued": 1])

        // Another key: held again (after a profile change lifted the hold), with the key ids.
        let other = try OutboxFixture()
        defer { other.cleanUp() }
        try other.outbox.saveProfile(owner: "x", fields: fields, secretCredential: nil, clear: [], now: 1)
        try fixture.outbox.saveProfile(owner: "alice", fields: ProfileFields(), secretCredential: nil, clear: [], now: 2)
        let wrong = try OutboxDatabase(path: fixture.path, secretKey: .file(other.directory + "/secrets.key"))
        #expect(DeliveryEngine(database: wrong, configuration: OutboxFixture.configuration(workers: 1)).drain().held == 1)
        #expect(try wrong.profile(owner: "alice")?.heldReason?.contains("is sealed for secrets key") == true)
        #expect(try fixture.sql.read { db in try Data.fetchOne(db, sql: "SELECT secret_sealed FROM profile WHERE owner = 'alice'") } == sealed)

        // The right key back: the same sealed password logs in and the message goes.
        try FileManager.default.moveItem(atPath: awayPath, toPath: keyPath)
        try fixture.outbox.saveProfile(owner: "alice", fields: ProfileFields(), secretCredential: nil, clear: [], now: 3)
        let restored = try OutboxDatabase(path: fixture.path)
        #expect(DeliveryEngine(database: restored, configuration: OutboxFixture.configuration(workers: 1)).drain().sent == 1)
        #expect(try fixture.states() == ["sent": 3])
        #expect(try server.messages().count == 3)
    }
}

extension ProfileFields {
    /// An `smtp` profile for a test server on 127.0.0.1 without TLS, from alice@example.com.
    static func loopbackSMTP(port: Int, user: String, password: String) -> ProfileFields {
        var fields = ProfileFields()
        fields.mode = .smtp
        fields.host = "127.0.0.1"
        fields.port = port
        fields.tls = TLSMode.none
        fields.username = user
        fields.secret = password
        fields.fromAddress = "alice@example.com"
        return fields
    }
}
