import OutboxTestSupport
import Foundation
import Testing
import OutboxCore
@testable import OutboxStore

/// Own-mailbox mode against a real Dovecot: the owner's inbox holds a customer's reply, a
/// newsletter, a bounce of ours, a bounce of the owner's personal mail, an out-of-office
/// and a complaint about ours. Only what is about Outbox's mail is recorded and moved; the
/// rest stays in the inbox, untouched and unread.
@Suite(.serialized) struct OwnMailboxTests {
    /// The mailbox, and the messages that must be taken (file names).
    static func fill(_ server: DovecotServer, outbox: BounceOutbox) throws -> (ours: Set<String>, left: Set<String>) {
        let sentAt = OutboxDatabase.milliseconds(Date()) - BounceOutbox.day
        try outbox.sentMessage(token: "tokOwnA1", to: ["gone@customer.test"], sentAt: sentAt)
        try outbox.sentMessage(token: "tokOwnA2", to: ["away@customer.test"], sentAt: sentAt)
        try outbox.sentMessage(token: "tokOwnA3", to: ["angry@customer.test"], sentAt: sentAt)
        let complaint = BounceWriter.complaint(token: "tokOwnA3", complainer: "angry@customer.test")
        let mail: [(String, [UInt8], Bool)] = [
            ("1700000001.M1P1.reply", BounceWriter.ordinary(from: "Customer <gone@customer.test>", subject: "Re: Arve 2026-03", inReplyTo: "tokOwnA1"), false),
            ("1700000002.M1P1.news", BounceWriter.ordinary(from: "News <news@shop.test>", subject: "Spring sale"), false),
            ("1700000003.M1P1.ours", BounceWriter.postfix(token: "tokOwnA1", recipient: "gone@customer.test", status: "5.1.1",
                                                          diagnostic: "550 5.1.1 <gone@customer.test>: User unknown"), true),
            // The owner's personal mail to the same customer bounced: not Outbox's message.
            ("1700000004.M1P1.theirs", BounceWriter.postfix(token: "personal-4711", recipient: "gone@customer.test", status: "5.1.1",
                                                            diagnostic: "550 5.1.1 <gone@customer.test>: User unknown"), false),
            ("1700000005.M1P1.ooo", BounceWriter.outOfOffice(token: "tokOwnA2", from: "away@customer.test"), true),
            // Taken once the parser recognises ARF reports; until then it must stay untouched.
            ("1700000006.M1P1.arf", complaint, BounceParser().parse(complaint).kind == .complaint),
        ]
        for (name, bytes, _) in mail { try server.deliver(bytes, name: name) }
        return (Set(mail.filter(\.2).map(\.0)), Set(mail.filter { !$0.2 }.map(\.0)))
    }

    /// Maildir file names (without the `:2,FLAGS` suffix) and their flags, in a folder.
    static func files(_ server: DovecotServer, folder: String? = nil) throws -> [String: String] {
        let base = server.maildir + (folder.map { "/.\($0)" } ?? "")
        var result: [String: String] = [:]
        for sub in ["new", "cur"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: base + "/" + sub)) ?? [] {
                let parts = name.components(separatedBy: ":2,")
                result[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
        }
        return result
    }

    @Test func pollTakesOnlyWhatIsAboutOutboxMailAndLeavesTheRestUnread() throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let (ours, left) = try Self.fill(server, outbox: outbox)
        let cli = OutboxBinary(database: outbox.database.path)
        let arguments = ["bounces", "poll", "--url", "imap://127.0.0.1:\(server.imapPort)/INBOX", "--user", DovecotServer.user,
                         "--password-file", try server.passwordFile(), "--allow-plaintext", "--mode", "own-mailbox", "--json"]
        let result = try cli.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        #expect(json["listed"] as? Int == 6 && json["recorded"] as? Int == ours.count && json["untouched"] as? Int == left.count)

        let inbox = try Self.files(server)
        #expect(Set(inbox.keys.compactMap { $0.components(separatedBy: ":").first }) == left, "everything else stays in the inbox")
        #expect(inbox.values.allSatisfy { !$0.contains("S") && !$0.contains("T") }, "still unread, not deleted: \(inbox)")
        let moved = try Self.files(server, folder: "Outbox-Bounces")
        #expect(moved.count == ours.count, "\(moved)")

        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == ours.count, "nothing else is recorded")
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind = 'bounced' AND reason = 'userunknown'") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind = 'auto-reply'") == 1)
        #expect(try outbox.database.suppressions(now: OutboxDatabase.milliseconds(Date())).map(\.address).contains("gone@customer.test"))

        // A second poll finds only the owner's own mail and changes nothing.
        let again = try cli.run(arguments)
        let second = try #require(try again.json() as? [String: Any])
        #expect(second["listed"] as? Int == left.count && second["recorded"] as? Int == 0 && second["untouched"] as? Int == left.count)
        #expect(try Self.files(server).values.allSatisfy { !$0.contains("S") })
        #expect(!result.stdout.contains(DovecotServer.password) && !result.stderr.contains(DovecotServer.password))
    }

    @Test func theDaemonPollsTheOwnMailboxFromOutboxConf() async throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let (ours, left) = try Self.fill(server, outbox: outbox)
        let daemon = try MailboxDaemon(server: server, directory: outbox.directory, database: outbox.database.path,
                                       extra: "mailbox-mode = own-mailbox\nmailbox-folder = Returned")
        defer { daemon.killIfRunning() }

        let deadline = Date().addingTimeInterval(120)  // the count is read again after the stop below
        while Date() < deadline, (try? Self.files(server, folder: "Returned").count) != ours.count { try await Task.sleep(for: .milliseconds(100)) }
        #expect(daemon.stop() == 0)
        #expect(try Self.files(server, folder: "Returned").count == ours.count, "\(daemon.log)")
        let inbox = try Self.files(server)
        #expect(inbox.count == left.count && inbox.values.allSatisfy { !$0.contains("S") }, "\(inbox)")
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == ours.count)
    }
}
