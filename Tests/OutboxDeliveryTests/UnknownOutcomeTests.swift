import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import OutboxTransport
import Testing

/// Issue #18 part 3: a connection that breaks after the final "." and before the reply
/// leaves the outcome unknown. A real aiosmtpd drops the connection after receiving the
/// whole message (`--drop-in-data`); a real Dovecot holds the Sent folder. The message is
/// never resent blindly: found in Sent → `sent` with no second copy at the server; not
/// found → resent after the wait or held for `outbox resolve`.
@Suite(.serialized) struct UnknownOutcomeTests {
    @Test func aMessageFoundInSentIsRecordedSentAndNeverSentAgain() async throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.createFolder("Sent")
        let fixture = try OutboxFixture()
        let smtp = try SMTPTestServer(["--user", DovecotServer.user, "--password", DovecotServer.password, "--drop-in-data"])
        defer { smtp.stop(); fixture.cleanUp() }
        try saveProfile(fixture, smtpPort: smtp.port, imapPort: dovecot.imapPort)
        try fixture.enqueue(1, owner: "alice")
        var settings = configuration()
        settings.unknownOutcome.checkAfter = .seconds(3)

        let first = DeliveryEngine(database: fixture.outbox, configuration: settings).drain()
        #expect(first.unknown == 1 && first.sent == 0 && first.deferred == 0)
        #expect(try fixture.states() == ["deferred": 1])
        let parked = try #require(try fixture.outbox.unknownOutcomes().first)
        #expect(parked.action == .checkSent && parked.headerMessageID?.hasSuffix("@outbox.test") == true)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'unknown' AND detail LIKE 'unknown: the whole message was sent%'") == 1)

        // The provider filed its copy of what it accepted (as Gmail does): put the received bytes in Sent.
        let received = try #require(try smtp.messages().first?.bytes)
        try IMAPAppend.append(received, to: try sentFolder(dovecot))
        try await Task.sleep(for: .seconds(3.2))
        let second = DeliveryEngine(database: fixture.outbox, configuration: settings).drain()
        #expect(second.sent == 0 && second.unknown == 0)
        #expect(try fixture.states() == ["sent": 1])
        #expect(try fixture.count("SELECT COUNT(*) FROM recipient WHERE state = 'sent'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'sent' AND detail LIKE 'accepted: found <%> in imap://127.0.0.1:%/Sent%'") == 1)
        #expect(try fixture.outbox.unknownOutcomes().isEmpty)
        #expect(try smtp.messages().count == 1)  // no second copy reached the server
        #expect(try smtp.messages().map(\.outcome) == ["dropped"])
    }

    @Test func aMessageNotInSentIsSentAgainOnlyAfterTheWait() async throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.createFolder("Sent")
        let fixture = try OutboxFixture()
        let smtp = try SMTPTestServer(["--user", DovecotServer.user, "--password", DovecotServer.password, "--drop-in-data", "--drop-count", "1"])
        defer { smtp.stop(); fixture.cleanUp() }
        try saveProfile(fixture, smtpPort: smtp.port, imapPort: dovecot.imapPort)
        try fixture.enqueue(1, owner: "alice")
        var settings = configuration()
        settings.unknownOutcome.checkAfter = .zero
        settings.unknownOutcome.fallback = .resend
        // Long enough that the two runs below (each logging in to Dovecot) end before it on a loaded machine.
        settings.unknownOutcome.resendAfter = .seconds(10)

        let started = Date()
        let first = DeliveryEngine(database: fixture.outbox, configuration: settings).drain()
        #expect(first.unknown == 1 && first.sent == 0)
        // The next run looks in Sent first (the outcome may have been committed after the first run's last look).
        #expect(DeliveryEngine(database: fixture.outbox, configuration: settings).drain().sent == 0)
        #expect(try smtp.messages().count == 1)
        // The look in Sent ran (not found) and the resend waits for the rest of the 10 s.
        let checked = try await fixture.sql.read { db in try String.fetchOne(db, sql: "SELECT detail FROM event WHERE kind = 'unknown-checked'") }
        #expect(checked?.contains("is not in imap://127.0.0.1:\(dovecot.imapPort)/Sent; sent again at ") == true, "\(checked ?? "-")")
        #expect(try fixture.states() == ["deferred": 1])

        var sent = 0
        while sent == 0, Date().timeIntervalSince(started) < 120 {
            try await Task.sleep(for: .seconds(0.3))
            sent = DeliveryEngine(database: fixture.outbox, configuration: settings).drain().sent
        }
        #expect(sent == 1)
        #expect(Date().timeIntervalSince(started) >= 10)
        #expect(try fixture.states() == ["sent": 1])
        #expect(try smtp.messages().map(\.outcome) == ["dropped", "accepted"])
        let kinds = try await fixture.sql.read { db in try String.fetchAll(db, sql: "SELECT kind FROM event WHERE kind <> 'attempt' AND kind <> 'enqueued' ORDER BY id") }
        #expect(kinds == ["unknown", "unknown-checked", "sent", "sent-copied"])  // the resent message gets its copy in Sent
        #expect(try fixture.outbox.unknownOutcomes().isEmpty)
    }

    @Test func withoutASentFolderTheMessageIsHeldThroughARestartUntilAnOperatorResolves() throws {
        let fixture = try OutboxFixture()
        let smtp = try SMTPTestServer(["--drop-in-data", "--drop-count", "1"])
        defer { smtp.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: smtp.port)
        try fixture.enqueue(1, owner: "alice")
        let settings = configuration()  // fallback: hold

        #expect(DeliveryEngine(database: fixture.outbox, configuration: settings).drain().unknown == 1)
        let parked = try #require(try fixture.outbox.unknownOutcomes().first)
        #expect(parked.action == .hold && parked.dueAt == nil)
        // A daemon killed now and started again: recovery and a new engine send nothing.
        let restarted = DeliveryEngine(database: fixture.outbox, configuration: settings)
        try restarted.recover()
        #expect(restarted.drain().sent == 0)
        #expect(try smtp.messages().count == 1)
        #expect(try fixture.outbox.unknownOutcome(messageID: parked.messageID)?.action == .hold)

        try fixture.outbox.resolveUnknown(messageID: parked.messageID, .resend(at: OutboxDatabase.milliseconds(Date()), detail: "operator: send again now"),
                                          byOperator: true, now: OutboxDatabase.milliseconds(Date()))
        #expect(throws: StoreError.self) {
            try fixture.outbox.resolveUnknown(messageID: parked.messageID, .sent(detail: "x"), byOperator: true, now: 1)
        }
        #expect(DeliveryEngine(database: fixture.outbox, configuration: settings).drain().sent == 1)
        #expect(try smtp.messages().map(\.outcome) == ["dropped", "accepted"])
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'resolved' AND detail = 'operator: send again now'") == 1)
    }

    @Test func aLookCutShortByACrashIsMadeAgainAfterItsLeaseAndTheMessageIsNeverClaimedMeanwhile() throws {
        let fixture = try OutboxFixture()
        let smtp = try SMTPTestServer(["--drop-in-data"])
        defer { smtp.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: smtp.port)
        try fixture.enqueue(1, owner: "alice")
        _ = DeliveryEngine(database: fixture.outbox, configuration: configuration()).drain()
        let parked = try #require(try fixture.outbox.unknownOutcomes().first)
        // Pretend the policy had planned a look (a profile with a Sent folder) and a daemon took it, then died.
        try fixture.sql.write { db in
            try db.execute(sql: "UPDATE unknown_outcome SET action = 'check-sent', due_at = 0 WHERE message_id = ?", arguments: [parked.messageID])
        }
        let now = OutboxDatabase.milliseconds(Date())
        #expect(try fixture.outbox.takeDueSentChecks(now: now, lease: 60_000, limit: 8).count == 1)
        #expect(try fixture.outbox.takeDueSentChecks(now: now, lease: 60_000, limit: 8).isEmpty)  // leased: no second look at once
        #expect(DeliveryEngine(database: fixture.outbox, configuration: configuration()).drain().sent == 0)
        let after = try #require(try fixture.outbox.unknownOutcome(messageID: parked.messageID))
        #expect(after.action == .checkSent && after.dueAt == now + 60_000 && after.checks == 1)
        #expect(try fixture.outbox.takeDueSentChecks(now: now + 60_000, lease: 60_000, limit: 8).map(\.messageID) == [parked.messageID])
        #expect(try smtp.messages().count == 1)
    }

    private func saveProfile(_ fixture: OutboxFixture, smtpPort: Int, imapPort: Int) throws {
        var fields = ProfileFields.loopbackSMTP(port: smtpPort, user: DovecotServer.user, password: DovecotServer.password)
        fields.sentCopyFolder = "Sent"
        fields.sentCopyURL = "imap://127.0.0.1:\(imapPort)"
        try fixture.outbox.saveProfile(owner: "alice", fields: fields, secretCredential: nil, clear: [], now: 1)
    }

    private func sentFolder(_ dovecot: DovecotServer) throws -> MailboxEndpoint {
        try MailboxEndpoint(url: "imap://127.0.0.1:\(dovecot.imapPort)/Sent", username: DovecotServer.user, password: DovecotServer.password,
                            requireTLS: false)
    }

    private func configuration() -> DeliveryConfiguration {
        var configuration = OutboxFixture.configuration(workers: 1)
        // A message is given up an hour after its enqueue, not a minute: a test that resumes late
        // on a starved pool still finds it waiting for its look in Sent.
        configuration.retry.giveUpAfter = .seconds(3600)
        configuration.sentCopyRetryDelays = [.milliseconds(100)]
        configuration.sentCopyGrace = .seconds(5)
        return configuration
    }
}
