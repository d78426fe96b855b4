import Foundation
import OutboxTestSupport
import Testing
import OutboxCore
@testable import OutboxStore

/// `outbox serve` reads the `[bounces]` mailbox from outbox.conf: a real Dovecot on
/// loopback, the password as a systemd credential; each bounce is recorded, then deleted.
@Suite(.serialized) struct ServeMailboxPollTests {
    @Test func theDaemonRecordsBouncesFromTheMailboxThenDeletesThem() async throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        try MailboxPollTests.fill(server)

        let directory = (outbox.database.path as NSString).deletingLastPathComponent
        let daemon = try MailboxDaemon(server: server, directory: directory, database: outbox.database.path)
        defer { daemon.killIfRunning() }

        await daemon.waitUntilEmptied(server)
        #expect(try server.messageCount() == 0, "\(daemon.log)")
        #expect(try outbox.recipientStates(message) == ["nobody@example.org": "bounced"])
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 3)

        #expect(daemon.stop() == 0)
        #expect(!daemon.log.contains(DovecotServer.password))
    }
}
