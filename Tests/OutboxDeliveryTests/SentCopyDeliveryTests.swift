import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import OutboxTransport
import Testing

/// A copy in Sent against a real Dovecot (IMAP) and a real aiosmtpd with the same login:
/// every message sent is appended to the folder byte for byte after its `sent` outcome is
/// recorded; a copy that cannot be made is an event and never a second SMTP delivery.
@Suite(.serialized) struct SentCopyDeliveryTests {
    @Test func eachSentMessageIsAppendedToTheFolderByteForByteAfterItIsRecorded() throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.createFolder("Sent")
        let fixture = try OutboxFixture(), smtp = try SMTPTestServer(["--user", DovecotServer.user, "--password", DovecotServer.password])
        defer { smtp.stop(); fixture.cleanUp() }
        try saveProfile(fixture, smtpPort: smtp.port, folder: "Sent", imapPort: dovecot.imapPort)
        try fixture.enqueue(3, owner: "alice")

        let summary = DeliveryEngine(database: fixture.outbox, configuration: configuration()).drain()
        #expect(summary.sent == 3)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'sent-copied' AND detail LIKE 'copied to imap://127.0.0.1:%/Sent'") == 3)
        #expect(try fixture.count("""
            SELECT COUNT(*) FROM event copy JOIN event sent ON sent.message_id = copy.message_id AND sent.kind = 'sent'
            WHERE copy.kind = 'sent-copied' AND copy.id > sent.id
            """) == 3)

        var copies: [[UInt8]] = []
        let sentFolder = try MailboxEndpoint(url: "imap://127.0.0.1:\(dovecot.imapPort)/Sent", username: DovecotServer.user,
                                             password: DovecotServer.password, requireTLS: false)
        _ = try MailboxDrain.run(sentFolder) { _, bytes in copies.append(bytes) }
        let delivered = try smtp.messages().compactMap(\.bytes)
        #expect(copies.count == 3 && delivered.count == 3)
        #expect(Set(copies) == Set(delivered))
    }

    @Test func aWrongFolderIsAnEventAfterRetriesAndTheMailIsSentExactlyOnce() throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        let fixture = try OutboxFixture(), smtp = try SMTPTestServer(["--user", DovecotServer.user, "--password", DovecotServer.password])
        defer { smtp.stop(); fixture.cleanUp() }
        try saveProfile(fixture, smtpPort: smtp.port, folder: "No Such Folder", imapPort: dovecot.imapPort)
        try fixture.enqueue(1, owner: "alice")

        let started = Date()
        let summary = DeliveryEngine(database: fixture.outbox, configuration: configuration()).drain()
        #expect(summary.sent == 1 && summary.deferred == 0 && summary.failed == 0)
        let detail = try fixture.sql.read { db in try String.fetchOne(db, sql: "SELECT detail FROM event WHERE kind = 'sent-copy-failed'") }
        #expect(detail?.hasPrefix("not copied to imap://127.0.0.1:\(dovecot.imapPort)/No%20Such%20Folder after 3 attempt(s): ") == true, "\(detail ?? "-")")
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind IN ('sent-copied', 'sent-copy-failed')") == 1)
        #expect(try smtp.messages().count == 1)
        #expect(try fixture.states() == ["sent": 1])
        #expect(try fixture.count("SELECT attempts FROM message") == 1)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(!(detail ?? "").contains(DovecotServer.password))
    }

    private func saveProfile(_ fixture: OutboxFixture, smtpPort: Int, folder: String, imapPort: Int) throws {
        var fields = ProfileFields.loopbackSMTP(port: smtpPort, user: DovecotServer.user, password: DovecotServer.password)
        fields.sentCopyFolder = folder
        fields.sentCopyURL = "imap://127.0.0.1:\(imapPort)"
        try fixture.outbox.saveProfile(owner: "alice", fields: fields, secretCredential: nil, clear: [], now: 1)
    }

    private func configuration() -> DeliveryConfiguration {
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.sentCopyRetryDelays = [.milliseconds(100), .milliseconds(200)]
        configuration.sentCopyGrace = .seconds(15)
        return configuration
    }
}
