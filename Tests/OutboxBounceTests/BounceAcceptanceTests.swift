import Foundation
import Testing
import OutboxStore
import OutboxTestSupport

/// The issue's acceptance test through the real `outbox` binary and a real SMTP server
/// (aiosmtpd): after `outbox bounces ingest`, a 5.2.2 mailbox-full bounce leaves the address
/// sendable, a 5.1.1 user-unknown suppresses it, and a 5.7.1 "blocked" is counted against
/// the owner's profile while the customer still gets the next invoice.
@Suite(.serialized) struct BounceAcceptanceTests {
    static let customers = ["full@customer.test", "gone@customer.test", "listed@bigprovider.test"]

    @Test func ingestSuppressesByReasonAndTheNextInvoicesFollowIt() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let server = try TestSMTPServer()
        defer { server.stop() }
        let cli = OutboxBinary(database: outbox.database.path)
        let config = try Self.configure(cli, outbox: outbox, relayPort: server.port)

        try Self.enqueueInvoices(cli, outbox: outbox, run: 1)
        let first = try cli.run(["serve", "--once", "--config", config])
        #expect(first.status == 0 && first.stdout.contains("sent 3,"), "\(first.stdout) \(first.stderr)")
        let tokens = try (1...3).map { id -> String in
            let show = try cli.run(["show", String(id), "--json"])
            return try #require((try show.json() as? [String: Any])?["token"] as? String)
        }

        // The bounces as the MTAs wrote them, ingested in one process.
        let files = [
            ("full.eml", BounceWriter.postfix(token: tokens[0], recipient: Self.customers[0], status: "5.2.2",
                                              diagnostic: "552 5.2.2 <full@customer.test>: Recipient address rejected: Mailbox full")),
            ("gone.eml", BounceWriter.exim(token: tokens[1], recipient: Self.customers[1],
                                           diagnostic: "550 5.1.1 <gone@customer.test>: Recipient address rejected: User unknown in virtual mailbox table")),
            ("listed.eml", BounceWriter.postfix(token: tokens[2], recipient: Self.customers[2], status: "5.7.1",
                                                diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org")),
        ]
        var paths: [String] = []
        for (name, bytes) in files {
            let path = outbox.directory + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let ingest = try cli.run(["bounces", "ingest", "--config", config, "--json"] + paths)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let results = try #require(try ingest.json() as? [[String: Any]])
        #expect(results.compactMap { $0["suppressed"] as? [String] } == [[], ["gone@customer.test"], []])

        // events --json: every bounce with its reason and hard/soft, as a script reads them.
        let events = try #require(try cli.run(["events", "--json", "--kind", "bounced"]).json() as? [[String: Any]])
        let byRecipient = Dictionary(uniqueKeysWithValues: events.map { ($0["recipient"] as? String ?? "", $0) })
        #expect(byRecipient["full@customer.test"]?["reason"] as? String == "mailboxfull")
        #expect(byRecipient["full@customer.test"]?["severity"] as? String == "soft")
        #expect(byRecipient["gone@customer.test"]?["reason"] as? String == "userunknown")
        #expect(byRecipient["gone@customer.test"]?["severity"] as? String == "hard")
        #expect(byRecipient["listed@bigprovider.test"]?["reason"] as? String == "blocked")
        let human = try cli.run(["events", "--kind", "bounced"]).stdout
        #expect(human.contains("reason=mailboxfull (soft)") && human.contains("reason=userunknown (hard)"), "\(human)")
        #expect(try cli.run(["show", "1"]).stdout.contains("<full@customer.test>  bounced (mailboxfull, soft)"))
        #expect(try cli.run(["bounces", "list"]).stdout.contains("userunknown/hard"))

        let suppressions = try #require(try cli.run(["suppressions", "list", "--json"]).json() as? [[String: Any]])
        #expect(suppressions.map { $0["address"] as? String } == ["gone@customer.test"])
        #expect(suppressions.first?["bounceReason"] as? String == "userunknown" && suppressions.first?["expiresAt"] == nil)
        #expect(suppressions.first?["bounceID"] as? Int == 2)
        let status = try cli.run(["status"]).stdout
        #expect(status.contains("sender problems") && status.contains("alice  blocked  1"), "\(status)")
        let statusJSON = try #require(try cli.run(["status", "--json"]).json() as? [String: Any])
        let problems = try #require(statusJSON["senderProblems"] as? [[String: Any]])
        #expect(problems.map { "\($0["owner"] ?? "") \($0["reason"] ?? "") \($0["count"] ?? "")" } == ["alice blocked 1"])
        #expect(statusJSON["totals"] != nil, "the queue figures are still there")
        #expect(try cli.run(["profile", "show", "alice"]).stdout.contains("blocked"))

        // The next invoices: the full mailbox and the blocked provider's customer get theirs,
        // the dead address does not, and the message says why.
        try Self.enqueueInvoices(cli, outbox: outbox, run: 2)
        let second = try cli.run(["serve", "--once", "--config", config])
        #expect(second.status == 0 && second.stdout.contains("sent 2,") && second.stdout.contains("failed 1"), "\(second.stdout)")
        let delivered = try server.messages().flatMap { $0.rcptTos ?? [] }
        #expect(delivered.filter { $0 == "full@customer.test" }.count == 2)
        #expect(delivered.filter { $0 == "listed@bigprovider.test" }.count == 2)
        #expect(delivered.filter { $0 == "gone@customer.test" }.count == 1, "only the first invoice, before the 5.1.1")
        let blocked = try cli.run(["show", "5"]).stdout
        #expect(blocked.contains("state failed") && blocked.contains("every recipient is on the suppression list"), "\(blocked)")
        #expect(blocked.contains("suppressed") && blocked.contains("dead address: userunknown"), "\(blocked)")

        // Taking the address off the list makes it sendable again.
        #expect(try cli.run(["suppressions", "remove", "gone@customer.test"]).status == 0)
        #expect(try cli.run(["suppressions", "list"]).stdout.contains("no suppressed addresses"))
    }

    /// alice sends through the test server as the system relay; `[bounces]` keeps its defaults.
    static func configure(_ cli: OutboxBinary, outbox: BounceOutbox, relayPort: Int) throws -> String {
        let profile = try cli.run(["profile", "set", "alice", "--mode", "system", "--from", "alice@firma.test"])
        #expect(profile.status == 0, "\(profile.stderr)")
        #expect(try cli.run(["dkim", "keygen", "--domain", "firma.test", "--selector", "t"]).status == 0)  // system mode signs
        let config = outbox.directory + "/outbox.conf"
        try Data("""
            [relay]
            host = 127.0.0.1
            port = \(relayPort)
            tls = none
            """.utf8).write(to: URL(fileURLWithPath: config))
        return config
    }

    /// One invoice from alice to each customer, through `outbox enqueue`.
    static func enqueueInvoices(_ cli: OutboxBinary, outbox: BounceOutbox, run: Int) throws {
        let path = outbox.directory + "/invoices-\(run).jsonl"
        let messages = customers.map { "{\"to\": [\"\($0)\"]}" }.joined(separator: ", ")
        try Data("{\"owner\": \"alice\", \"subject\": \"Arve \(run)\", \"text\": \"Tere!\", \"messages\": [\(messages)]}\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let enqueue = try cli.run(["enqueue", path])
        #expect(enqueue.status == 0, "\(enqueue.stderr)")
    }
}
