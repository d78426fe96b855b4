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

    @Test func anIMAPServerThatNeverAnswersDelaysNoSend() throws {
        // A listener that never accepts: connections complete in the kernel, no greeting ever comes.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) } }
        let listening = listen(silent, 16)
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) } }
        try #require(bound == 0 && listening == 0 && named == 0)
        let silentPort = Int(UInt16(bigEndian: address.sin_port))

        let fixture = try OutboxFixture(), smtp = try SMTPTestServer(["--user", "mailer", "--password", "pw"])
        defer { smtp.stop(); fixture.cleanUp() }
        var fields = ProfileFields.loopbackSMTP(port: smtp.port, user: "mailer", password: "pw")
        fields.sentCopyFolder = "Sent"
        fields.sentCopyURL = "imap://127.0.0.1:\(silentPort)"
        try fixture.outbox.saveProfile(owner: "alice", fields: fields, secretCredential: nil, clear: [], now: 1)
        try fixture.enqueue(3, owner: "alice")

        var settings = configuration()
        settings.connectTimeout = .seconds(1)  // each append waits this long for a greeting, twice
        let summary = DeliveryEngine(database: fixture.outbox, configuration: settings).drain()
        #expect(summary.sent == 3)
        let times = try fixture.sql.read { db in
            (sent: try Int64.fetchAll(db, sql: "SELECT at FROM event WHERE kind = 'sent' ORDER BY id"),
             failed: try Int64.fetchAll(db, sql: "SELECT at FROM event WHERE kind = 'sent-copy-failed' ORDER BY id"))
        }
        #expect(times.sent.count == 3 && times.failed.count == 3)
        // All three were sent before the first copy gave up, within much less than one append's wait.
        #expect(times.sent.last! < times.failed.first! && times.sent.last! - times.sent.first! < 900, "\(times)")
        #expect(try smtp.messages().count == 3)
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
