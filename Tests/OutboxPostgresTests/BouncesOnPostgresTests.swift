import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// The bounce doors on PostgreSQL through the real binary: `outbox bounces ingest`, `raw`,
/// `list`, `suppressions`, `status` and `profile show` print on a PostgreSQL outbox what they
/// print on SQLite for the same bounces of the same sent mail; two `serve` nodes on one
/// PostgreSQL outbox poll a Dovecot mailbox one at a time and record each bounce once.
@Suite(.serialized, .timeLimit(.minutes(10))) struct BouncesOnPostgresTests {
    /// Mail sent through aiosmtpd by `serve --once`, then bounced: a dead address (VERP), a
    /// full mailbox (the returned Message-ID), a blocked sender (the address alone), a human
    /// reply, a forged unsubscribe request, and the first DSN again. Every command prints the same on both stores (times
    /// and message tokens aside), and the same rows are written.
    @Test func bouncesIngestedThroughTheBinaryRecordTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let directory = sqlite.directory
        let config = try sqlite.file("outbox.conf", Array("""
            [delivery]
            unknown-outcome = resend
            [dkim]
            sign-modes = none
            [bounces]
            soft-bounce-limit = 1

            """.utf8))
        let batch = try sqlite.file("batch.jsonl", Array("""
            {"owner":"acme","to":["dead@customer.test"],"subject":"Arve 1","text":"Tere"}
            {"owner":"acme","to":["full@customer.test"],"subject":"Arve 2","text":"Tere"}
            {"owner":"globex","to":["blocked@partner.test"],"subject":"Arve 3","text":"Tere"}

            """.utf8))
        var transcripts: [String] = []
        for (fixture, database) in [(sqlite, directory + "/outbox.db"), (postgres, cluster.url(database: "outbox"))] {
            let cli = OutboxProcess(database: database)
            for owner in ["acme", "globex"] {
                let set = try await cli.run(["profile", "set", owner, "--host", "127.0.0.1", "--port", "\(server.port)", "--tls", "none",
                                             "--from", "\(owner)@firma.example"])
                #expect(set.status == 0, "\(set.stderr)")
            }
            #expect(try await cli.run(["enqueue", batch]).status == 0)
            let serve = try await cli.run(["serve", "--once", "--config", config])
            #expect(serve.status == 0 && serve.stdout.hasPrefix("sent 3,"), "\(serve.stdout) \(serve.stderr)")
            let tokens = try await (1...3).asyncMap { try await fixture.store.message(id: Int64($0)).token }
            let dsns = [
                (["--recipient", "bounces+\(tokens[0])@bounce.firma.example"],
                 postfixDSN(recipient: "dead@customer.test", status: "5.1.1", diagnostic: "550 5.1.1 <dead@customer.test>: Recipient address rejected: User unknown", messageID: nil)),
                ([], postfixDSN(recipient: "full@customer.test", status: "5.2.2", diagnostic: "552 5.2.2 Mailbox full", messageID: "\(tokens[1])@firma.example")),
                ([], postfixDSN(recipient: "blocked@partner.test", status: "5.7.1",
                                diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", messageID: nil)),
                ([], Array("From: Mari <mari@customer.test>\r\nTo: bounces@bounce.firma.example\r\nSubject: Re: Arve 1\r\n\r\nAitäh!\r\n".utf8)),
                (["--recipient", "unsubscribe+forged1234@bounce.firma.example"],
                 Array("From: Mari <mari@customer.test>\r\nTo: unsubscribe+forged1234@bounce.firma.example\r\nSubject: unsubscribe\r\n\r\n".utf8)),
            ]
            var transcript: [String] = []
            func record(_ arguments: [String], stdin: [UInt8]? = nil) async throws -> OutboxProcess.Result {
                let result = try await cli.run(arguments, stdin: stdin.map { String(decoding: $0, as: UTF8.self) }, directory: directory)
                transcript.append("$ \(arguments.joined(separator: " ")) -> \(result.status)\n\(result.stdout)\(result.stderr)")
                return result
            }
            for (extra, dsn) in dsns {
                let ingested = try await record(["bounces", "ingest", "--config", config] + extra + ["-"], stdin: dsn)
                #expect(ingested.status == 0, "\(ingested.stderr)")
            }
            let again = try await record(["bounces", "ingest", "--config", config, "--recipient", "bounces+\(tokens[0])@bounce.firma.example", "--json", "-"],
                                         stdin: dsns[0].1)
            #expect(again.stdout.contains(#""duplicate":true"#), "\(again.stdout)")
            let raw = try await cli.run(["bounces", "raw", "1"])
            #expect(raw.status == 0 && Array(raw.stdout.utf8) == dsns[0].1.map { $0 }, "bounces raw gives the bytes back as received")
            for arguments in [["bounces", "list"], ["bounces", "list", "--json"], ["suppressions", "list"], ["status"], ["status", "--json"],
                              ["profile", "show", "globex"], ["profile", "show", "acme"], ["show", "2"],
                              ["events", "--kind", "bounced"], ["events", "--kind", "sender-problem"], ["events", "--kind", "not-a-bounce"],
                              ["events", "--kind", "unsubscribe-ignored"]] {
                _ = try await record(arguments)
            }
            transcripts.append(Self.masked(transcript.joined(separator: "\n"), tokens: tokens))
        }
        #expect(transcripts[1] == transcripts[0])
        #expect(transcripts[0].contains("suppressed dead@customer.test") && transcripts[0].contains("suppressed full@customer.test"))
        #expect(transcripts[0].contains("sender problem for owner globex"), "\(transcripts[0])")
        #expect(transcripts[0].contains("unsubscribe token 'forged1234'"), "\(transcripts[0])")
        #expect(transcripts[0].contains("matched by verp") && transcripts[0].contains("matched by message-id") && transcripts[0].contains("matched by address"))
        // The rows behind the output: one bounce per distinct message, the suppressions, the counter.
        #expect(try cluster.sql("SELECT id, kind, message_id, matched_by FROM bounce ORDER BY id", database: "outbox")
                == "1|deliveryFailure|1|verp\n2|deliveryFailure|2|message-id\n3|deliveryFailure|3|address\n4|notABounce||\n5|unsubscribe||")
        #expect(try cluster.sql("SELECT address, bounce_reason, expires_at IS NULL FROM suppression ORDER BY address", database: "outbox")
                == "dead@customer.test|userunknown|t\nfull@customer.test|mailboxfull|f")
        #expect(try cluster.sql("SELECT owner, reason, count FROM sender_problem", database: "outbox") == "globex|blocked|1")
        #expect(try cluster.sql("SELECT id, state, bounce_reason FROM recipient ORDER BY id", database: "outbox")
                == "1|bounced|userunknown\n2|bounced|mailboxfull\n3|bounced|blocked")
    }

    /// `outbox bounces poll` reads a Dovecot mailbox into either store and prints the same;
    /// the same DSN piped by two `bounces ingest` processes at once is recorded once on PostgreSQL.
    @Test func bouncesPollAndConcurrentIngestOnPostgres() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        let mailbox = try DovecotServer()
        defer { mailbox.stop() }
        let password = try sqlite.file("mailbox-password", Array(DovecotServer.password.utf8))
        let dsn = postfixDSN(recipient: "nobody@customer.test", status: "5.1.1", diagnostic: "550 5.1.1 User unknown", messageID: nil)
        var printed: [OutboxProcess.Result] = []
        for database in [sqlite.directory + "/outbox.db", cluster.url(database: "outbox")] {
            try mailbox.deliver(dsn, name: "1700000001.M1P1.test")
            printed.append(try await OutboxProcess(database: database).run([
                "bounces", "poll", "--url", "imap://127.0.0.1:\(mailbox.imapPort)/INBOX", "--user", DovecotServer.user,
                "--password-file", password, "--allow-plaintext"]))
            #expect(try mailbox.messageCount() == 0, "recorded, then deleted")
        }
        #expect(printed[0].status == 0 && printed[0].stdout.contains("1 message(s), 1 recorded and deleted"), "\(printed[0].stderr)")
        #expect(printed[1].status == printed[0].status && printed[1].stdout == printed[0].stdout && printed[1].stderr == printed[0].stderr)
        #expect(try cluster.sql("SELECT kind, source LIKE 'imap://127.0.0.1:%/INBOX uid %' FROM bounce", database: "outbox") == "deliveryFailure|t")

        let other = postfixDSN(recipient: "twice@customer.test", status: "5.1.1", diagnostic: "550 5.1.1 User unknown", messageID: nil)
        let cli = OutboxProcess(database: cluster.url(database: "outbox")), stdin = String(decoding: other, as: UTF8.self)
        async let first = cli.run(["bounces", "ingest", "--json", "-"], stdin: stdin)
        async let second = cli.run(["bounces", "ingest", "--json", "-"], stdin: stdin)
        let both = try await [first, second]
        #expect(both.allSatisfy { $0.status == 0 }, "\(both.map(\.stderr))")
        #expect(both.filter { $0.stdout.contains(#""duplicate":true"#) }.count == 1, "\(both.map(\.stdout))")
        #expect(try cluster.sql("SELECT count(*) FROM bounce WHERE subject IS NOT NULL", database: "outbox") == "2")
        #expect(try cluster.sql("SELECT count(*) FROM event WHERE kind = 'bounced' AND recipient = 'twice@customer.test'", database: "outbox") == "1")
    }

    /// A letter's unsubscribe request by mail (`unsubscribe+TOKEN@`), on an SQLite outbox and
    /// on its PostgreSQL copy (the letter made on SQLite and moved by `store copy`): the same
    /// unsubscription, then "already unsubscribed" for the repeat, printed the same.
    @Test func anUnsubscribeRequestByMailIsRecordedTheSameOnACopy() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        let onSQLite = OutboxProcess(database: sqlite.directory + "/outbox.db"), onPostgres = OutboxProcess(database: cluster.url(database: "outbox"))
        let letter = try sqlite.file("letter.json", Array("""
            {"owner": "sales", "kind": "letter", "subject": "Uudised", "text": "Tere!", "messages": [{"to": ["mari@example.ee"]}]}
            """.utf8))
        let enqueued = try await onSQLite.run(["enqueue", letter])
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        let copied = try await onSQLite.run(["store", "copy", "--from", onSQLite.database, "--to", onPostgres.database])
        #expect(copied.status == 0, "\(copied.stderr)")
        let token = try cluster.sql("SELECT token FROM unsubscribe_token", database: "outbox")
        #expect(!token.isEmpty)
        let request = "From: mari@example.ee\r\nTo: unsubscribe+\(token)@bounce.firma.ee\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n"
        var transcripts: [String] = []
        for cli in [onSQLite, onPostgres] {
            var transcript = ""
            for arguments in [["bounces", "ingest", "--recipient", "unsubscribe+\(token)@bounce.firma.ee", "-"],
                              ["bounces", "ingest", "--recipient", "unsubscribe+\(token)@bounce.firma.ee", "/dev/stdin"],
                              ["suppressions", "list"], ["events", "--kind", "unsubscribed"], ["events", "--kind", "unsubscribe-ignored"], ["bounces", "list"]] {
                // The second request differs by a byte (a repeat, not the same bytes again).
                let result = try await cli.run(arguments, stdin: arguments.last == "/dev/stdin" ? request + "\r\n" : request)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                transcript += "$ \(arguments.joined(separator: " "))\n\(result.stdout)\(result.stderr)"
            }
            transcripts.append(Self.masked(transcript, tokens: [token]))
        }
        #expect(transcripts[1] == transcripts[0])
        #expect(transcripts[0].contains("unsubscribed from owner sales's letters") && transcripts[0].contains("already unsubscribed"), "\(transcripts[0])")
        #expect(try cluster.sql("SELECT owner, address, source, bounce_id FROM unsubscription", database: "outbox") == "sales|mari@example.ee|mail|1")
    }

    /// Two `serve` nodes on one PostgreSQL outbox with the same `[bounces] mailbox-url`: one
    /// holds the mailbox (its advisory lock is the only one in `pg_locks`, and it logs that it
    /// polls it while the other logs that another node does), each bounce is recorded once;
    /// when the polling node is killed, the other takes the mailbox over and records the next.
    @Test func twoServeNodesPollTheMailboxOneAtATime() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let mailbox = try DovecotServer()
        defer { mailbox.stop() }
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let cli = OutboxProcess(database: url)
        #expect(try await cli.run(["enqueue", "-"], stdin: #"{"owner":"acme","to":["gone@customer.test"],"subject":"Arve","text":"Tere"}"#).status == 0)
        #expect(try await cli.run(["enqueue", "-"], stdin: #"{"owner":"acme","to":["left@customer.test"],"subject":"Arve","text":"Tere"}"#).status == 0)
        let tokens = try await (1...2).asyncMap { try await fixture.store.message(id: Int64($0)).token }
        let credentials = directory + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try Data((DovecotServer.password + "\n").utf8).write(to: URL(fileURLWithPath: credentials + "/bounce-mailbox"))
        // No relay anywhere: the queued messages stay queued (deferred), the pollers are what is tested.
        let config = try fixture.file("outbox.conf", Array("""
            [delivery]
            unknown-outcome = resend
            poll-interval-ms = 60000
            [dkim]
            sign-modes = none
            [bounces]
            mailbox-url = imap://127.0.0.1:\(mailbox.imapPort)/INBOX
            mailbox-user = \(DovecotServer.user)
            mailbox-password-credential = bounce-mailbox
            poll-interval = 1s

            """.utf8))
        let lockHolders = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        let nodes = try (0..<2).map {
            try ServeDaemon(database: url, arguments: ["--config", config], logPath: directory + "/node\($0).log",
                            environment: ["CREDENTIALS_DIRECTORY": credentials])
        }
        defer { nodes.forEach { $0.killIfRunning() } }
        _ = await eventually(within: 120) { nodes.allSatisfy { $0.log.contains("bounce mailbox") } }
        let holders = try cluster.sql(lockHolders, database: "outbox")
        try mailbox.deliver(postfixDSN(recipient: "gone@customer.test", status: "5.1.1", diagnostic: "550 5.1.1 User unknown",
                                       messageID: "\(tokens[0])@firma.example"), name: "1700000001.M1P1.test")
        _ = await eventually(within: 120) { (try? mailbox.messageCount()) == 0 }
        try await Task.sleep(for: .seconds(3))  // both nodes poll again meanwhile (every second)
        let firstBounces = try cluster.sql("SELECT count(*) FROM bounce", database: "outbox")
        let logs = nodes.map(\.log)
        // Kill -9 the node that polls: its session ends, its lock with it; the other takes over.
        let polling = try #require(logs.firstIndex { $0.contains("this node polls it") }, "\(logs)")
        nodes[polling].killIfRunning()
        let survivor = nodes[1 - polling]
        try mailbox.deliver(postfixDSN(recipient: "left@customer.test", status: "5.1.1", diagnostic: "550 5.1.1 User unknown",
                                       messageID: "\(tokens[1])@firma.example"), name: "1700000002.M2P1.test")
        _ = await eventually(within: 120) { (try? mailbox.messageCount()) == 0 }
        let takeover = survivor.log
        #expect(await survivor.stopped() == 0)
        let outcome = (holders: holders, recorded: try cluster.sql("SELECT message_id FROM bounce ORDER BY id", database: "outbox"),
                       takeover: takeover, logs: logs, firstBounces: firstBounces)
        #expect(outcome.holders == "1", "one node holds the mailbox lock")
        let polls = outcome.logs.map { $0.contains("this node polls it") }, waits = outcome.logs.map { $0.contains("another node polls it") }
        #expect(polls.filter { $0 }.count == 1 && waits.filter { $0 }.count == 1, "one node polls, the other waits:\n\(outcome.logs.joined(separator: "\n---\n"))")
        #expect(outcome.firstBounces == "1", "the bounce is recorded once")
        #expect(outcome.recorded == "1\n2", "the second bounce, after the poller was killed, is recorded by the other node")
        #expect(outcome.takeover.contains("this node polls it"), "\(outcome.takeover.suffix(2_000))")
        #expect(try cluster.sql("SELECT count(*) FROM event WHERE kind = 'bounced'", database: "outbox") == "2")
        #expect(try cluster.sql("SELECT address FROM suppression ORDER BY address", database: "outbox") == "gone@customer.test\nleft@customer.test")
    }

    /// Times (`2026-12-02 00:31:07`, `…T00:31:07Z`, Unix milliseconds) and message tokens
    /// differ between the two runs; everything else must not.
    static func masked(_ text: String, tokens: [String]) -> String {
        var text = text
        for (index, token) in tokens.enumerated() { text = text.replacingOccurrences(of: token, with: "TOKEN\(index + 1)") }
        for pattern in [#"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?Z?"#, #"\b1\d{12}\b"#, #"\(\d+[smhd]( \d+[smhd])* ago\)"#] {
            text = text.replacingOccurrences(of: pattern, with: "TIME", options: .regularExpression)
        }
        return text
    }
}

/// A Postfix delivery status notification for `recipient`, with the returned message's
/// `Message-ID` when given (CRLF line ends, as an MTA hands it over).
func postfixDSN(recipient: String, status: String, diagnostic: String, messageID: String?) -> [UInt8] {
    let boundary = "4D1F83C2B1.1772524800/mail.firma.example"
    let text = """
        Return-Path: <>
        From: MAILER-DAEMON@mail.firma.example (Mail Delivery System)
        Subject: Undelivered Mail Returned to Sender
        To: bounces@bounce.firma.example
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status;
        \tboundary="\(boundary)"
        Message-Id: <20260303080001.\(recipient.prefix { $0 != "@" })@mail.firma.example>

        --\(boundary)
        Content-Description: Notification
        Content-Type: text/plain; charset=us-ascii

        <\(recipient)>: host mx.customer.test[192.0.2.25] said: \(diagnostic)

        --\(boundary)
        Content-Description: Delivery report
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mail.firma.example

        Final-Recipient: rfc822; \(recipient)
        Original-Recipient: rfc822;\(recipient)
        Action: failed
        Status: \(status)
        Remote-MTA: dns; mx.customer.test
        Diagnostic-Code: smtp; \(diagnostic)

        --\(boundary)
        Content-Description: Undelivered Message Headers
        Content-Type: text/rfc822-headers

        From: <sender@firma.example>
        To: \(recipient)
        Subject: Arve
        \(messageID.map { "Message-ID: <\($0)>" } ?? "X-Mailer: Outbox")

        --\(boundary)--

        """
    return Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

extension ClosedRange where Bound == Int {
    /// `transform` of each element in order, awaiting each.
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
