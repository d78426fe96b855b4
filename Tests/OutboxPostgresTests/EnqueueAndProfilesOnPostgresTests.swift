import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox enqueue` and `outbox profile set|show|list` with `--db postgres://…` through the
/// real binary: the same output, errors and exit status as on SQLite, nothing written for a
/// refused batch or profile, and a `serve` node on the same database woken by the enqueue.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EnqueueAndProfilesOnPostgresTests {
    @Test func enqueuePrintsTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        let directory = sqlite.directory
        _ = try sqlite.file("a.txt", Array("attached\n".utf8))
        _ = try sqlite.file("big.bin", [UInt8](repeating: 0x41, count: 4_096))
        let batch = try sqlite.file("batch.jsonl", Array("""
            {"batch":{"key":"b1"}}
            {"owner":"acme","to":["d@example.com"],"subject":"Hi","text":"Hello","key":"m1"}
            {"owner":"acme","to":["e@example.com"],"subject":"Hi","text":"Hello","key":"m2","attachments":[{"path":"a.txt"}]}

            """.utf8))
        let document = try sqlite.file("doc.json", Array("""
            {"key": "doc-1", "messages": [
              {"owner": "globex", "to": ["f@example.com"], "subject": "One", "text": "1"},
              {"owner": "globex", "to": ["g@example.com"], "subject": "Two", "html": "<p>2</p>"}
            ]}
            """.utf8))
        let bad = try sqlite.file("bad.jsonl", Array("""
            {"owner":"acme","to":["x@example.com"],"subject":"Hi","text":"Hello"}
            {"owner":"acme","to":["not an address"],"subject":"Hi","text":"Hello"}

            """.utf8))
        let big = try sqlite.file("big.jsonl", Array(#"{"owner":"acme","to":["y@example.com"],"subject":"Big","text":"x","attachments":[{"path":"big.bin"}]}"#.utf8))
        let template = try sqlite.file("letter.txt", Array("Dear {{name}}, invoice {{invoice}} is attached.\n".utf8))
        let csv = try sqlite.file("people.csv", Array("email,name,invoice\nh@example.com,Hille,101\ni@example.com,Ilmar,102\n".utf8))
        let steps: [(arguments: [String], stdin: String?, refused: Bool)] = [
            (["enqueue", batch], nil, false),
            (["enqueue", batch], nil, false),  // known batch key: nothing changes
            (["enqueue", bad], nil, true),
            (["enqueue", "--json", "-"], try String(contentsOfFile: bad, encoding: .utf8), true),
            (["enqueue", "--max-message-bytes", "1000", big], nil, true),
            (["enqueue", "-"], #"{"owner":"acme","to":["z@example.com"],"subject":"s","text":"t","attachments":[{"path":"a.txt"}]}"#, true),
            (["enqueue", "--json", document], nil, false),
            (["enqueue", "--template", template, "--recipients", csv, "--subject", "Invoice {{invoice}}", "--owner", "acme", "--key", "merge-1",
              "--attach", directory + "/a.txt"], nil, false),
            (["enqueue", "--json", "-"], """
                {"owner":"acme","to":["d@example.com"],"subject":"again","text":"t","key":"m1"}
                {"owner":"acme","to":["j@example.com"],"subject":"new","text":"t"}
                """, false),
        ]
        let onSQLite = OutboxProcess(database: directory + "/outbox.db")
        let onPostgres = OutboxProcess(database: cluster.url(database: "outbox"))
        let written = { () throws -> String in
            try ["message", "recipient", "attachment", "content", "batch", "event"]
                .map { "\($0) " + (try cluster.sql("SELECT count(*) FROM \($0)", database: "outbox")) }.joined(separator: ", ")
        }
        for step in steps {
            let before = step.refused ? try written() : ""
            let expected = try await onSQLite.run(step.arguments, stdin: step.stdin, directory: directory)
            let actual = try await onPostgres.run(step.arguments, stdin: step.stdin, directory: directory)
            #expect(actual.status == expected.status, "\(step.arguments): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(step.arguments)")
            #expect(actual.stderr == expected.stderr, "\(step.arguments)")
            #expect(step.refused ? actual.status == 65 && actual.stderr.contains("nothing was enqueued") : actual.status == 0,
                    "\(step.arguments): \(actual.stderr)")
            if step.refused { #expect(try written() == before, "\(step.arguments) wrote something") }
        }
        #expect(try cluster.sql("SELECT owner, count(*) FROM message GROUP BY owner ORDER BY owner", database: "outbox") == "acme|5\nglobex|2")
        #expect(try cluster.sql("SELECT count(*) FROM attachment", database: "outbox") == "3")
        let merged = try cluster.sql("SELECT subject FROM message WHERE subject LIKE 'Invoice%' ORDER BY subject", database: "outbox")
        #expect(merged == "Invoice 101\nInvoice 102")
    }

    /// A `serve` node on PostgreSQL, idle with a 60 s recheck, delivers through the profile
    /// `outbox profile set` stored what `outbox enqueue` puts into the same database within seconds (sent, and at the server): the enqueue's NOTIFY wakes it.
    @Test func aServeNodeDeliversWhatTheBinaryEnqueues() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let profile = try await OutboxProcess(database: url).run(["profile", "set", "acme", "--host", "127.0.0.1", "--port", "\(server.port)", "--tls", "none",
                                                            "--from", "acme@firma.example"])
        #expect(profile.status == 0, "\(profile.stderr)")
        let config = try fixture.file("outbox.conf", Array("""
            [delivery]
            poll-interval-ms = 60000
            unknown-outcome = resend
            [dkim]
            sign-modes = none

            """.utf8))
        let batch = try fixture.file("batch.jsonl", Array(#"{"owner":"acme","to":["woken@example.com"],"subject":"Wake","text":"up"}"#.utf8))
        let outcome = try await onDedicatedThread { () throws -> (enqueue: OutboxProcess.Result, seconds: Double?, log: String) in
            let node = try ServeDaemon(database: url, arguments: ["--config", config], logPath: directory + "/node.log")
            defer { node.stop() }
            usleep(3_000_000)  // started, nothing to do: idle until woken
            let enqueue = try OutboxProcess(database: url).run(["enqueue", batch], directory: directory)
            let start = Date()
            let delivered = eventually(within: 30) { (try? cluster.sql("SELECT state FROM message", database: "outbox")) == "sent" }
            return (enqueue, delivered ? Date().timeIntervalSince(start) : nil, node.log)
        }
        #expect(outcome.enqueue.status == 0 && outcome.enqueue.stdout.hasPrefix("batch 1: 1 message(s) enqueued"), "\(outcome.enqueue.stderr)")
        let seconds = try #require(outcome.seconds, "not delivered; log:\n\(outcome.log.suffix(2_000))")
        #expect(seconds < 10, "delivered \(seconds) s after the enqueue returned")
        #expect(try server.messages().map(\.rcptTos) == [["woken@example.com"]])
    }

    /// `outbox profile set|show|list` print the same on both stores; what PostgreSQL cannot
    /// hold (a password in the database, sent copies) is refused there and changes nothing.
    @Test func profilesPrintTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let onSQLite = OutboxProcess(database: sqlite.directory + "/outbox.db")
        let onPostgres = OutboxProcess(database: try #require(postgres.cluster).url(database: "outbox"))
        let steps: [[String]] = [
            ["profile", "list"],
            ["profile", "set", "acme", "--host", "smtp.firma.example", "--port", "587", "--user", "info@firma.example",
             "--password-credential", "acme-smtp", "--from", "info@firma.example", "--per-minute", "60", "--max-connections", "2"],
            ["profile", "set", "globex", "--mode", "system", "--from-name", "Globex", "--recipients-per-day", "10000"],
            ["profile", "set", "acme", "--clear", "max-connections", "--per-day", "500", "--json"],
            ["profile", "set", "acme", "--tls", "none", "--host", "mail.elsewhere.example"],  // clear-text login refused
            ["profile", "show", "acme"],
            ["profile", "show", "acme", "--json"],
            ["profile", "show", "nobody"],
            ["profile", "list"],
            ["profile", "list", "--json"],
        ]
        for arguments in steps {
            let expected = try await onSQLite.run(arguments), actual = try await onPostgres.run(arguments)
            #expect(actual.status == expected.status, "\(arguments): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(arguments)")
            #expect(actual.stderr == expected.stderr, "\(arguments)")
        }
        let before = try await onPostgres.run(["profile", "show", "acme", "--json"]).stdout
        let refusals: [(arguments: [String], stdin: String?, says: String)] = [
            (["profile", "set", "acme", "--password-stdin"], "secret\n", "give --password-credential NAME"),
            (["profile", "set", "acme", "--sent-copy", "Sent"], nil, "--sent-copy"),
        ]
        for refusal in refusals {
            let result = try await onPostgres.run(refusal.arguments, stdin: refusal.stdin)
            #expect(result.status != 0 && result.stderr.contains("a PostgreSQL outbox cannot hold this yet") && result.stderr.contains(refusal.says),
                    "\(refusal.arguments): \(result.stderr)")
            #expect(!result.stderr.contains("secret") && !result.stdout.contains("secret"))
        }
        #expect(try await onPostgres.run(["profile", "show", "acme", "--json"]).stdout == before)
    }
}
