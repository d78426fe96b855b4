import Foundation
import GRDB
import Testing
import OutboxCore
import OutboxTestSupport
@testable import OutboxStore

/// End to end with a real MTA: `outbox serve --once` sends one message through a private
/// Postfix (the system relay) with the VERP envelope sender `bounces+TOKEN@bounce.outbox.test`;
/// Postfix relays it to an SMTP server on loopback that refuses the recipient with 550, writes
/// its own DSN to the VERP address, and delivers that DSN through one of the two bounce doors:
/// a Maildir that a real Dovecot serves (read by `outbox bounces poll`), or a master.cf `pipe`
/// transport running `outbox bounces ingest`. Nothing here is a canned sample.
@Suite(.serialized, .enabled(if: PostfixInstance.available, "a private Postfix needs root"))
struct PostfixDSNTests {
    static let recipient = "rcpt@example.net"
    static let refusal = "550 5.1.1 <rcpt@example.net>: Recipient address rejected: User unknown"

    /// The mailbox door: Postfix DSN → Maildir → Dovecot IMAP → `outbox bounces poll`.
    @Test func aRealPostfixDSNReachesTheDaemonThroughTheMailbox() async throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        let refusing = try TestSMTPServer(["--rcpt-reply", "\(Self.recipient)=\(Self.refusal)"])
        defer { refusing.stop() }
        // Dovecot's mail user (dovecot_server.sh: nobody when run as root) owns the Maildir.
        var info = stat()
        #expect(stat(dovecot.maildir, &info) == 0)
        let postfix = try PostfixInstance(relayPort: refusing.port,
                                          door: .maildir(base: dovecot.directory + "/mail", mailbox: DovecotServer.user, uid: info.st_uid, gid: info.st_gid))
        defer { postfix.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let (message, token) = try Self.enqueue(outbox)

        try Self.send(outbox, through: postfix)
        let arrived = await Self.wait(upTo: 60, flushing: postfix) { (try? dovecot.messageCount()) ?? 0 > 0 }
        #expect(arrived, "no DSN in the Maildir within 60 s; postfix log:\n\(postfix.log)")
        guard arrived else { return }
        #expect(postfix.log.contains("from=<bounces+\(token)@bounce.outbox.test>"), "the daemon sent with the VERP envelope sender")
        #expect(postfix.log.contains("said: 550 5.1.1"), "Postfix met the refusal")
        #expect(postfix.log.contains("to=<bounces+\(token)@bounce.outbox.test>, relay=virtual"), "the DSN went to the VERP address")

        let cli = OutboxBinary(database: outbox.database.path)
        let poll = try await cli.run(["bounces", "poll", "--url", "imap://127.0.0.1:\(dovecot.imapPort)/INBOX", "--user", DovecotServer.user,
                                "--password-file", try dovecot.passwordFile(), "--allow-plaintext", "--json"])
        #expect(poll.status == 0, "\(poll.stderr)")
        let json = try #require(try poll.json() as? [String: Any], "\(poll.stdout)")
        #expect(json["recorded"] as? Int == 1)
        #expect(try dovecot.messageCount() == 0, "the recorded DSN is deleted from the mailbox")
        try Self.expectBounced(outbox, message: message, source: "imap://127.0.0.1:")
    }

    /// The pipe door: Postfix DSN → master.cf `pipe` transport → `outbox bounces ingest`.
    @Test func aRealPostfixDSNReachesTheDaemonThroughThePipe() async throws {
        let refusing = try TestSMTPServer(["--rcpt-reply", "\(Self.recipient)=\(Self.refusal)"])
        defer { refusing.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let (message, token) = try Self.enqueue(outbox)
        // pipe(8) never runs a command as root: the outbox belongs to nobody, as it would
        // belong to the `outbox` user in production. SQLite, run as root by this test and
        // the daemon, gives the files it creates the database file's owner.
        let nobody = try #require(getpwnam("nobody")?.pointee)
        try Self.chown(outbox.directory, uid: nobody.pw_uid, gid: nobody.pw_gid)
        let postfix = try PostfixInstance(relayPort: refusing.port, door: .pipe(user: "nobody", argv: [
            OutboxBinary.executable.path, "bounces", "ingest", "--db", outbox.database.path, "--source", "postfix", "-",
        ]))
        defer { postfix.stop() }

        try Self.send(outbox, through: postfix)
        let delivered = "to=<bounces+\(token)@bounce.outbox.test>, relay=outbox, "
        let piped = await Self.wait(upTo: 60, flushing: postfix) { postfix.log.contains(delivered) }
        #expect(piped, "the DSN was not piped within 60 s; postfix log:\n\(postfix.log)")
        guard piped else { return }
        #expect(postfix.log.contains("from=<bounces+\(token)@bounce.outbox.test>"), "the daemon sent with the VERP envelope sender")
        #expect(postfix.log.contains("said: 550 5.1.1"), "Postfix met the refusal")
        let pipeLine = postfix.log.split(separator: "\n").first { $0.contains(delivered) }.map(String.init) ?? ""
        #expect(pipeLine.contains("status=sent"), "ingest exited 0: \(pipeLine)")
        try Self.expectBounced(outbox, message: message, source: "postfix")
    }

    // MARK: - Steps shared by both doors

    /// Enqueues one message from `alice` to ``recipient`` the ordinary way; returns its id and token.
    static func enqueue(_ outbox: BounceOutbox) throws -> (Int64, String) {
        let draft = MessageDraft(owner: "alice", subject: "Kutse", textBody: "Tere!",
                                 recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse(recipient))])
        _ = try outbox.database.enqueue(batchKey: nil, source: "test", now: OutboxDatabase.milliseconds(Date()), baseDirectory: nil) { writer in
            try writer.add(draft, location: "1")
        }
        // alice sends in system mode, which signs: a key for her domain (made while the test owns the database).
        _ = try outbox.database.storeDKIMKey(domain: "outbox.test", selector: "t", key: .generate(.rsaSHA256), now: 0)
        return try outbox.database.pool.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT id, token FROM message ORDER BY id DESC LIMIT 1"))
            return (row["id"], row["token"])
        }
    }

    /// `outbox serve --once` with alice on the system relay (the private Postfix, clear text
    /// on loopback) and `[bounces] domain`, so the envelope sender is the VERP address.
    static func send(_ outbox: BounceOutbox, through postfix: PostfixInstance) throws {
        let cli = OutboxBinary(database: outbox.database.path)
        let profile = try cli.run(["profile", "set", "alice", "--mode", "system", "--from", "alice@outbox.test"])
        #expect(profile.status == 0, "\(profile.stderr)")
        let config = outbox.directory + "/outbox.conf"
        try Data("""
            [relay]
            host = 127.0.0.1
            port = \(postfix.smtpPort)
            tls = none

            [bounces]
            domain = bounce.outbox.test
            """.utf8).write(to: URL(fileURLWithPath: config))
        let serve = try cli.run(["serve", "--once", "--config", config, "--db", outbox.database.path])
        #expect(serve.status == 0 && serve.stdout.contains("sent 1,"), "\(serve.stdout) \(serve.stderr)")
    }

    /// Waits until `done` (checked every 100 ms), asking Postfix to flush its queue every 10 s.
    static func wait(upTo seconds: Double, flushing postfix: PostfixInstance, until done: () -> Bool) async -> Bool {
        let start = Date()
        var flushed = start
        while Date().timeIntervalSince(start) < seconds {
            if done() { return true }
            if Date().timeIntervalSince(flushed) > 10 {
                postfix.flush()
                flushed = Date()
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return done()
    }

    /// The DSN was recorded as a hard bounce of ``recipient`` on `message`, matched by the
    /// VERP token, with Postfix's status and the refusing server's diagnostic; the recipient
    /// is `bounced` and the address suppressed.
    static func expectBounced(_ outbox: BounceOutbox, message: Int64, source: String) throws {
        let events = try outbox.events(kind: "bounced")
        #expect(events.count == 1, "\(events)")
        let event = try #require(events.first)
        #expect(event["message_id"] as Int64? == message)
        #expect(event["recipient"] as String? == recipient)
        #expect(event["code"] as Int? == 550)
        let status = event["enhanced_code"] as String? ?? ""
        #expect(status == "5.1.1" && status.hasPrefix("5."), "\(status)")
        let detail = event["detail"] as String? ?? ""
        #expect(detail.hasPrefix("hard bounce (userunknown): ") && detail.contains("550 5.1.1") && detail.contains("User unknown")
                && detail.contains("matched by verp"), "\(detail)")
        #expect(try outbox.recipientStates(message) == [recipient: "bounced"])
        #expect(try outbox.count("SELECT COUNT(*) FROM suppression WHERE address = '\(recipient)' AND bounce_reason = 'userunknown' AND expires_at IS NULL") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce WHERE source LIKE '\(source)%'") == 1)
    }

    static func chown(_ path: String, uid: uid_t, gid: gid_t) throws {
        Foundation.chown(path, uid, gid)
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            Foundation.chown(path + "/" + name, uid, gid)
        }
    }
}
