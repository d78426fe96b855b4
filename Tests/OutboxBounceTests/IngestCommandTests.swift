import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// `outbox bounces ingest` and `outbox suppressions` through the real binary.
@Suite struct IngestCommandTests {
    @Test func pipedBounceIsRecordedAndShownInEventsAndShow() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"], sentAt: OutboxDatabase.milliseconds(Date()) - BounceOutbox.day)
        let cli = OutboxBinary(database: outbox.database.path)
        let result = try cli.run(["bounces", "ingest", "--json", "-"], stdin: try BounceSample.bytes("01-postfix-dsn-failed.eml"))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        #expect(json["messageID"] as? Int64 == message && json["matchedBy"] as? String == "verp")
        #expect(json["suppressed"] as? [String] == ["nobody@example.org"])

        let events = try cli.run(["events", "--kind", "bounced"])
        #expect(events.status == 0 && events.stdout.contains("bounced message=\(message)") && events.stdout.contains("rcpt=nobody@example.org"))
        #expect(events.stdout.contains("code=550 5.1.1"))
        let show = try cli.run(["show", String(message)])
        #expect(show.stdout.contains("<nobody@example.org>  bounced") && show.stdout.contains("hard bounce"))

        let again = try cli.run(["bounces", "ingest", BounceSample.directory.appendingPathComponent("01-postfix-dsn-failed.eml").path])
        #expect(again.status == 0 && again.stdout.contains("already recorded"))
    }

    @Test func thePolicyComesFromOutboxConfAndABadKeyIsNamedWithItsLine() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try outbox.sentMessage(token: "tokConf01", to: ["full@customer.test"], sentAt: OutboxDatabase.milliseconds(Date()) - BounceOutbox.day)
        let cli = OutboxBinary(database: outbox.database.path)
        let config = outbox.directory + "/outbox.conf"
        try Data("[bounces]\nsoft-bounce-limit = 1\nsoft-bounce-suppress-for = 2d\n".utf8).write(to: URL(fileURLWithPath: config))
        let bounce = BounceWriter.postfix(token: "tokConf01", recipient: "full@customer.test", status: "5.2.2", diagnostic: "552 5.2.2 Mailbox full")
        let result = try cli.run(["bounces", "ingest", "--config", config, "-"], stdin: bounce)
        #expect(result.status == 0 && result.stdout.contains("suppressed full@customer.test"), "\(result.stdout) \(result.stderr)")
        let list = try #require(try cli.run(["suppressions", "list", "--json"]).json() as? [[String: Any]])
        let created = try #require(list.first?["createdAt"] as? Int64)
        #expect(list.first?["expiresAt"] as? Int64 == created + 2 * BounceOutbox.day && list.first?["bounceReason"] as? String == "mailboxfull")
        #expect(try cli.run(["suppressions", "list"]).stdout.contains("mailboxfull"))

        try Data("[bounces]\n\nsoft-bounce-reasons = mailboxfull, blocked\n".utf8).write(to: URL(fileURLWithPath: config))
        let bad = try cli.run(["bounces", "ingest", "--config", config, "-"], stdin: bounce)
        #expect(bad.status != 0 && bad.stderr.contains("outbox.conf:3:") && bad.stderr.contains("'blocked'"), "\(bad.stderr)")
    }

    @Test func severalFilesInOneProcessAnUnreadableOneDoesNotStopTheOthers() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let cli = OutboxBinary(database: outbox.database.path)
        let first = BounceSample.directory.appendingPathComponent("01-postfix-dsn-failed.eml").path
        let second = BounceSample.directory.appendingPathComponent("07-exim-failed.eml").path
        let result = try cli.run(["bounces", "ingest", "--json", first, outbox.directory + "/missing.eml", second, first])
        #expect(result.status == 66 && result.stderr.contains("missing.eml"), "\(result.stderr)")
        let results = try #require(try result.json() as? [[String: Any]])
        #expect(results.map { $0["duplicate"] as? Bool } == [false, false, true], "the same bytes twice in one run count once")
        #expect(results[2]["bounceID"] as? Int == results[0]["bounceID"] as? Int)
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 2)
    }

    @Test func emptyInputIsRefusedWith65() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let result = try OutboxBinary(database: outbox.database.path).run(["bounces", "ingest"])
        #expect(result.status == 65 && result.stderr.contains("empty"))
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 0)
    }

    @Test func lockedDatabaseExits75AndTheRetrySucceeds() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let cli = OutboxBinary(database: outbox.database.path)
        let raw = try BounceSample.bytes("02-postfix-dsn-delay.eml")
        let holder = try DatabaseQueue(path: outbox.database.path)
        let locked = try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            return try cli.run(["bounces", "ingest", "--busy-timeout", "1", "-"], stdin: raw)
        }
        #expect(locked.status == 75, "\(locked.stderr)")
        #expect(locked.stderr.contains("try again later"))
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 0)
        let retried = try cli.run(["bounces", "ingest", "--busy-timeout", "1", "-"], stdin: raw)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 1)
    }

    @Test func unopenableDatabaseExits75() throws {
        let result = try OutboxBinary(database: "/proc/outbox-no-such-dir/outbox.db").run(["bounces", "ingest", "-"], stdin: Array("x\n".utf8))
        #expect(result.status == 75, "\(result.stderr)")
    }

    @Test func suppressionsListAddRemove() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let cli = OutboxBinary(database: outbox.database.path)
        #expect(try cli.run(["suppressions", "add", "Mari@Firma.example", "--reason", "left the company"]).status == 0)
        let list = try cli.run(["suppressions", "list", "--json"])
        let entries = try #require(try list.json() as? [[String: Any]])
        #expect(entries.count == 1 && entries[0]["address"] as? String == "mari@firma.example" && entries[0]["reason"] as? String == "left the company")
        #expect(try cli.run(["suppressions", "list"]).stdout.contains("mari@firma.example"))
        #expect(try cli.run(["suppressions", "remove", "mari@firma.example"]).status == 0)
        #expect(try cli.run(["suppressions", "remove", "mari@firma.example"]).status == 1)
        #expect(try cli.run(["suppressions", "list"]).stdout.contains("no suppressed addresses"))
    }
}
