import Foundation
import OutboxTestSupport
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// `outbox bounces poll` against a real Dovecot on loopback, IMAP and POP3.
@Suite(.serialized) struct MailboxPollTests {
    /// Sample 01 (matches token q7Hk2mA9), a human reply and bytes that are no message.
    static func fill(_ server: DovecotServer) throws {
        try server.deliver(try BounceSample.bytes("01-postfix-dsn-failed.eml"), name: "1700000001.M1P1.test")
        try server.deliver(try BounceSample.bytes("16-normal-reply.eml"), name: "1700000002.M1P1.test")
        try server.deliver(Array("\u{1}\u{2} not a message at all\n".utf8), name: "1700000003.M1P1.test")
    }

    @Test(arguments: ["imap", "pop3"])
    func everyMessageIsRecordedThenDeleted(_ scheme: String) throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"], sentAt: OutboxDatabase.milliseconds(Date()) - BounceOutbox.day)
        try Self.fill(server)
        let url = scheme == "imap" ? "imap://127.0.0.1:\(server.imapPort)/INBOX" : "pop3://127.0.0.1:\(server.pop3Port)"
        let cli = OutboxBinary(database: outbox.database.path)
        let result = try cli.run(["bounces", "poll", "--url", url, "--user", DovecotServer.user, "--password-file", try server.passwordFile(),
                                  "--allow-plaintext", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        #expect(json["listed"] as? Int == 3 && json["recorded"] as? Int == 3)
        #expect(try server.messageCount() == 0, "recorded messages are deleted")
        #expect(try outbox.recipientStates(message) == ["nobody@example.org": "bounced"])
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 3)
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce WHERE source LIKE '\(scheme)://127.0.0.1:%'") == 3)
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind <> 'enqueued'") == 3)
        #expect(!result.stdout.contains(DovecotServer.password) && !result.stderr.contains(DovecotServer.password))
    }

    @Test(arguments: ["imap", "pop3"])
    func nothingIsDeletedWhileTheDatabaseCannotRecord(_ scheme: String) throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try Self.fill(server)
        let url = scheme == "imap" ? "imap://127.0.0.1:\(server.imapPort)" : "pop3://127.0.0.1:\(server.pop3Port)"
        let cli = OutboxBinary(database: outbox.database.path)
        let arguments = ["bounces", "poll", "--url", url, "--user", DovecotServer.user, "--password-file", try server.passwordFile(),
                         "--allow-plaintext", "--busy-timeout", "1"]
        let holder = try DatabaseQueue(path: outbox.database.path)
        let locked = try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try cli.run(arguments)
        }
        #expect(locked.status == 75, "\(locked.stderr)")
        #expect(try server.messageCount() == 3, "nothing recorded, nothing deleted")
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 0)

        let retried = try cli.run(arguments)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(try server.messageCount() == 0)
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 3)
    }

    @Test func plaintextLoginIsRefusedUnlessAllowedAndWrongPasswordFails() throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try Self.fill(server)
        let cli = OutboxBinary(database: outbox.database.path)
        let url = "imap://127.0.0.1:\(server.imapPort)"
        let noTLS = try cli.run(["bounces", "poll", "--url", url, "--user", DovecotServer.user, "--password-file", try server.passwordFile()])
        #expect(noTLS.status == 75 && noTLS.stderr.contains("tls-not-offered"), "\(noTLS.stderr)")
        let wrong = server.directory + "/wrong"
        try Data("nope\n".utf8).write(to: URL(fileURLWithPath: wrong))
        let denied = try cli.run(["bounces", "poll", "--url", url, "--user", DovecotServer.user, "--password-file", wrong, "--allow-plaintext"])
        #expect(denied.status == 75 && denied.stderr.contains("login-denied"), "\(denied.stderr)")
        let inURL = try cli.run(["bounces", "poll", "--url", "imap://u:pw@127.0.0.1:\(server.imapPort)", "--user", "u", "--password-file", wrong])
        #expect(inURL.status == 64 && !inURL.stderr.contains("pw@"))
        #expect(try server.messageCount() == 3)
    }
}

/// IMAP `--move-to`: recorded messages go to another folder instead of being deleted.
@Suite struct MailboxMoveTests {
    @Test func recordedMessagesAreMovedToTheFolder() throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try MailboxPollTests.fill(server)
        let folder = server.maildir + "/.Recorded"
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        let owner = try FileManager.default.attributesOfItem(atPath: server.maildir)
        for path in [folder, folder + "/cur", folder + "/new", folder + "/tmp"] {
            try FileManager.default.setAttributes([.ownerAccountID: owner[.ownerAccountID]!, .groupOwnerAccountID: owner[.groupOwnerAccountID]!],
                                                  ofItemAtPath: path)
        }
        let cli = OutboxBinary(database: outbox.database.path)
        let result = try cli.run(["bounces", "poll", "--url", "imap://127.0.0.1:\(server.imapPort)/INBOX", "--user", DovecotServer.user,
                                  "--password-file", try server.passwordFile(), "--allow-plaintext", "--move-to", "Recorded"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try server.messageCount() == 0)
        let moved = try ["cur", "new"].reduce(0) { $0 + (try FileManager.default.contentsOfDirectory(atPath: folder + "/" + $1).count) }
        #expect(moved == 3)
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 3)

        let list = try cli.run(["bounces", "list"])
        #expect(list.status == 0 && list.stdout.contains("#3") && list.stdout.contains("notABounce"))
        let raw = try cli.run(["bounces", "raw", "1"])
        #expect(raw.status == 0 && raw.stdout.contains("Final-Recipient: rfc822; nobody@example.org"))
    }
}
