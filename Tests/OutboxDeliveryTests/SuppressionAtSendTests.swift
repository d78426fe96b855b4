import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import Testing

/// A suppressed address is not attempted: its recipient gets a `suppressed` event, the
/// others of the message are still sent, and a message left with nobody fails with the reason.
@Suite(.serialized) struct SuppressionAtSendTests {
    @Test func suppressedRecipientsAreLeftOutOfTheAttempt() throws {
        let fixture = try OutboxFixture(), server = try SMTPTestServer()
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        _ = try fixture.outbox.addSuppression(address: "Gone@Example.net", reason: "hard bounce 5.1.1", now: OutboxDatabase.milliseconds(Date()))
        _ = try fixture.outbox.enqueue(batchKey: nil, source: "test", now: OutboxDatabase.milliseconds(Date()), baseDirectory: nil) { writer in
            try writer.add(MessageDraft(owner: "alice", subject: "Only gone", textBody: "x",
                                        recipients: [Recipient(kind: .to, mailbox: try Mailbox(address: "gone@example.net"))]), location: "1")
            try writer.add(MessageDraft(owner: "alice", subject: "Mixed", textBody: "x",
                                        recipients: [Recipient(kind: .to, mailbox: try Mailbox(address: "gone@example.net")),
                                                     Recipient(kind: .cc, mailbox: try Mailbox(address: "here@example.net"))]), location: "2")
        }
        let summary = DeliveryEngine(database: fixture.outbox, configuration: OutboxFixture.configuration(workers: 1)).drain()
        #expect(summary.sent == 1 && summary.failed == 1)
        let received = try server.messages()
        #expect(received.count == 1)
        #expect(received.first?.rcptTos == ["here@example.net"])
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'suppressed' AND recipient = 'gone@example.net' AND message_id IS NOT NULL") == 2)
        #expect(try fixture.count("SELECT COUNT(*) FROM recipient WHERE state = 'suppressed'") == 2)
        #expect(try fixture.count("SELECT COUNT(*) FROM message WHERE subject = 'Only gone' AND state = 'failed' AND last_error LIKE '%suppression list%'") == 1)
    }
}
