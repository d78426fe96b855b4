import Foundation
import GRDB
import OutboxCore
import OutboxTestSupport
import Testing
@testable import OutboxStore

/// The daemon's mailbox poller (`outbox serve` with `[bounces] mailbox-url`) records an
/// unsubscribe request for a letter like `bounces poll` and the pipe do, then deletes it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ServeUnsubscribeTests {
    @Test func theDaemonRecordsAnUnsubscribeRequestFromTheMailbox() async throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let letter = MessageDraft(owner: "sales", subject: "Uudised", textBody: "Tere",
                                  recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("mari@example.ee")),
                                               Recipient(kind: .cc, mailbox: try Mailbox.parse("copy@firma.ee"))], kind: .letter)
        _ = try outbox.database.enqueue(batchKey: nil, source: "test", now: BounceOutbox.now, baseDirectory: nil) { try $0.add(letter, location: "1") }
        let token = try #require(try await outbox.database.pool.read { try String.fetchOne($0, sql: "SELECT token FROM unsubscribe_token") })
        try server.deliver(Array("""
            X-Original-To: unsubscribe+\(token)@bounce.firma.ee\r
            From: mari@example.ee\r
            To: unsubscribe+\(token)@bounce.firma.ee\r
            Subject: unsubscribe\r
            \r
            unsubscribe\r

            """.utf8), name: "1700000001.M1P1.test")

        let directory = (outbox.database.path as NSString).deletingLastPathComponent
        let daemon = try MailboxDaemon(server: server, directory: directory, database: outbox.database.path)
        defer { daemon.killIfRunning() }
        await daemon.waitUntilEmptied(server)
        #expect(try server.messageCount() == 0, "\(daemon.log)")
        #expect(daemon.stop() == 0)

        #expect(try outbox.count("SELECT COUNT(*) FROM unsubscription WHERE owner = 'sales' AND address = 'mari@example.ee'") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM unsubscription") == 1, "the cc copy is not unsubscribed")
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind = 'unsubscribed' AND recipient = 'mari@example.ee'") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce WHERE kind = 'unsubscribe' AND matched_by = 'unsubscribe-token'") == 1)
    }
}
