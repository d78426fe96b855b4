import Foundation
import OutboxStore
import OutboxTestSupport
import Testing

/// DKIM keys, unknown outcomes and the sent copy on a PostgreSQL outbox, through the real
/// binary: `outbox dkim …` prints what it prints on SQLite, `serve` on PostgreSQL signs
/// with the keys stored there (dkimpy verifies what aiosmtpd received), `show --eml` prints
/// those bytes exactly, and a message whose outcome is unknown stays parked on every node
/// until `outbox resolve` answers, and is never sent twice.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SigningAndUnknownOnPostgresTests {
    /// A secrets key file in `directory` (made by `outbox secrets init` on a scratch SQLite
    /// outbox there), as the nodes of a PostgreSQL outbox are given theirs.
    static func secretsKey(in directory: String) async throws -> [String: String] {
        let made = try await OutboxProcess(database: directory + "/keys.db").run(["secrets", "init"])
        #expect(made.status == 0, "\(made.stderr)")
        return ["OUTBOX_SECRETS_KEY_FILE": directory + "/secrets.key"]
    }

    /// What differs between two runs of the same command by nature: the key material
    /// (`p=…`, base64) and the clock (times).
    static func normalised(_ text: String) -> String {
        text.replacingOccurrences(of: #"p=[A-Za-z0-9+/=" ]+"#, with: "p=KEY", options: .regularExpression)
            .replacingOccurrences(of: #"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?Z?"#, with: "TIME", options: .regularExpression)
            .replacingOccurrences(of: #""(\w+At)" ?: ?\d+"#, with: #""$1":0"#, options: .regularExpression)
            .replacingOccurrences(of: #""dnsStrings" ?: ?\[[^\]]*\]"#, with: #""dnsStrings":[]"#, options: .regularExpression)
    }

    @Test func dkimCommandsPrintTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        let key = try await Self.secretsKey(in: sqlite.directory)
        let onSQLite = OutboxProcess(database: sqlite.directory + "/outbox.db", environment: key)
        let onPostgres = OutboxProcess(database: cluster.url(database: "outbox"), environment: key)
        let steps: [[String]] = [
            ["dkim", "list"],
            ["dkim", "keygen", "--domain", "Firma.EE", "--selector", "s1"],
            ["dkim", "keygen", "--domain", "firma.ee", "--selector", "e1", "--algorithm", "ed25519", "--json"],
            ["dkim", "keygen", "--domain", "firma.ee", "--selector", "s2"],  // standing by
            ["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"],  // exists: refused
            ["dkim", "keygen", "--domain", "bad domain", "--selector", "x"],
            ["dkim", "list"],
            ["dkim", "list", "--domain", "firma.ee", "--json"],
            ["dkim", "show", "--domain", "firma.ee", "--selector", "s2"],
            ["dkim", "show", "--domain", "firma.ee", "--selector", "e1", "--json"],
            ["dkim", "show", "--domain", "firma.ee", "--selector", "nope"],
            ["dkim", "delete", "--domain", "firma.ee", "--selector", "s1"],
            ["dkim", "delete", "--domain", "firma.ee", "--selector", "s1"],
            ["dkim", "list"],
        ]
        for arguments in steps {
            let expected = try await onSQLite.run(arguments), actual = try await onPostgres.run(arguments)
            #expect(actual.status == expected.status, "\(arguments): \(actual.stderr)")
            #expect(Self.normalised(actual.stdout) == Self.normalised(expected.stdout), "\(arguments)")
            #expect(actual.stderr == expected.stderr, "\(arguments)")
        }
        // s2 signs now that s1 is gone, on both.
        #expect(try await onPostgres.run(["dkim", "list"]).stdout.contains("s2"))
        // Sealed at rest to the key both stores published; never the key in clear.
        let published = try ChildProcess.runBlocking("python3", ["-c", """
            import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM setting WHERE name = 'secrets-public-key'").fetchone()[0])
            """, sqlite.directory + "/outbox.db"])
        #expect(try cluster.sql("SELECT value FROM setting WHERE name = 'secrets-public-key'", database: "outbox")
            == published.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try cluster.sql("SELECT count(*) FROM dkim_key WHERE get_byte(private_key, 0) = 1 AND position('PRIVATE'::bytea IN private_key) = 0",
                                database: "outbox") == "2")

        // No secrets key anywhere and none published: a clear refusal, nothing stored.
        let empty = try await StoreFixture(.postgres)
        defer { empty.close() }
        let noKey = OutboxProcess(database: try #require(empty.cluster).url(database: "outbox"),
                                  environment: ["OUTBOX_SECRETS_KEY_FILE": empty.directory + "/missing.key"])
        let refused = try await noKey.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"])
        #expect(refused.status != 0 && refused.stderr.contains("no secrets key yet") && refused.stderr.contains("missing.key"), "\(refused.stderr)")
        #expect(try empty.cluster!.sql("SELECT count(*) FROM dkim_key", database: "outbox") == "0")
    }

    /// `serve --once` on PostgreSQL signs with the RSA and Ed25519 keys stored there: dkimpy
    /// passes both signatures of what aiosmtpd received, and `show --eml` prints it byte for byte.
    @Test func serveSignsOnPostgresAndShowEMLIsByteExact() async throws {
        let (fixture, server) = (try await StoreFixture(.postgres), try TestSMTPServer())
        defer { fixture.close(); server.stop() }
        let (cluster, outbox, config) = try await Self.signingSender(fixture, relay: server)
        var records: [String: String] = [:]
        for (selector, algorithm) in [("s1", "rsa"), ("e1", "ed25519")] {
            let made = try await outbox.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", selector, "--algorithm", algorithm])
            #expect(made.status == 0, "\(made.stderr)")
            let line = try #require(made.stdout.split(separator: "\n").first { $0.contains(" IN TXT ") })
            let quoted = line[line.range(of: " IN TXT ")!.upperBound...]
            records[String(line.split(separator: " ")[0]).lowercased()] =
                quoted.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map(\.element).joined()
        }
        let batch = try fixture.file("letter.jsonl", Array("""
            {"owner": "juri", "subject": "Arve nr 42 — tänane makse", "text": "Tere, Līga!\\n", "html": "<p>Tere!</p>", "to": ["liga@example.lv"]}

            """.utf8))
        let enqueued = try await outbox.run(["enqueue", batch])
        #expect(enqueued.status == 0, "\(enqueued.stderr)")

        let unsent = try await outbox.run(["show", "1", "--eml", "--config", config])
        #expect(unsent.status == 0 && unsent.stderr.contains("not sent yet"), "\(unsent.stderr)")
        #expect(try Self.dkimpy(Array(unsent.stdout.utf8), records: records, in: fixture.directory) == [true, true])

        let once = try await outbox.run(["serve", "--once", "--config", config])
        #expect(once.status == 0 && once.stdout.contains("sent 1"), "\(once.stdout) \(once.stderr)")
        let received = try #require(try server.messages().first?.bytes)
        #expect(try Self.dkimpy(received, records: records, in: fixture.directory) == [true, true])
        // Deleting a key after sending changes nothing about what was sent.
        #expect(try await outbox.run(["dkim", "delete", "--domain", "firma.ee", "--selector", "s1"]).status == 0)
        let shown = try await outbox.run(["show", "1", "--eml"])
        #expect(shown.status == 0 && shown.stderr.isEmpty, "\(shown.stderr)")
        #expect(Array(shown.stdout.utf8) == received)

        // Content changed after sending: refused, as on SQLite.
        _ = try cluster.sql("UPDATE message SET text_body = 'changed' WHERE id = 1", database: "outbox")
        let refused = try await outbox.run(["show", "1", "--eml"])
        #expect(refused.status != 0 && refused.stdout.isEmpty && refused.stderr.contains("cannot be reproduced byte for byte"), "\(refused.stderr)")
    }

    /// A missing key holds the profile on PostgreSQL as on SQLite (nothing sent unsigned);
    /// `dkim keygen` lifts the hold and the next run sends it signed.
    @Test func aMissingKeyHoldsTheProfileUntilKeygen() async throws {
        let (fixture, server) = (try await StoreFixture(.postgres), try TestSMTPServer())
        defer { fixture.close(); server.stop() }
        let (cluster, outbox, config) = try await Self.signingSender(fixture, relay: server)
        let batch = try fixture.file("one.jsonl", Array(#"{"owner":"juri","to":["liga@example.lv"],"subject":"Arve","text":"Tere"}"#.utf8))
        #expect(try await outbox.run(["enqueue", batch]).status == 0)
        let held = try await outbox.run(["serve", "--once", "--config", config])
        #expect(held.stdout.contains("sent 0") && held.stdout.contains("held 1"), "\(held.stdout) \(held.stderr)")
        #expect(try cluster.sql("SELECT held_reason FROM profile WHERE owner = 'juri'", database: "outbox").hasPrefix("dkim: "))
        #expect(try server.messages().isEmpty)
        #expect(try await outbox.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"]).status == 0)
        #expect(try cluster.sql("SELECT count(*) FROM owner_pause", database: "outbox") == "0")
        let sent = try await outbox.run(["serve", "--once", "--config", config])
        #expect(sent.stdout.contains("sent 1"), "\(sent.stdout) \(sent.stderr)")
        #expect(String(decoding: try #require(try server.messages().first?.bytes), as: UTF8.self).contains("DKIM-Signature: "))
    }

    /// `unknown-outcome = hold` on both stores: the dropped message is parked, `status` and
    /// `resolve` print the same; parked messages are claimed by no run until resolved;
    /// `--resend` sends it once more, `--sent` never again.
    @Test func unknownOutcomesAreParkedAndResolvedAsOnSQLite() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        var outputs: [StoreKind: [String]] = [:]
        for (kind, fixture) in [(StoreKind.sqlite, sqlite), (.postgres, postgres)] {
            // The first two messages' connections break after their final "."; later ones are accepted.
            let server = try TestSMTPServer(["--drop-in-data", "--drop-count", "2"])
            defer { server.stop() }
            let outbox = OutboxProcess(database: kind == .sqlite ? fixture.directory + "/outbox.db" : cluster.url(database: "outbox"))
            let config = try fixture.file("outbox.conf", Array("""
                [delivery]
                workers = 1
                unknown-outcome = hold
                [dkim]
                sign-modes = none

                """.utf8))
            #expect(try await outbox.run(["profile", "set", "acme", "--host", "127.0.0.1", "--port", "\(server.port)", "--tls", "none",
                                          "--from", "acme@firma.example"]).status == 0)
            let batch = try fixture.file("two.jsonl", Array("""
                {"owner":"acme","to":["a@example.com"],"subject":"One","text":"1"}
                {"owner":"acme","to":["b@example.com"],"subject":"Two","text":"2"}

                """.utf8))
            #expect(try await outbox.run(["enqueue", batch]).status == 0)
            var printed = [try await outbox.run(["serve", "--once", "--config", config]).stdout]
            #expect(printed[0].hasPrefix("sent 0, deferred 0, failed 0, unknown 2"), "\(kind): \(printed)")
            // Parked: not claimed again by any run, however often it runs.
            let idle = try await outbox.run(["serve", "--once", "--config", config])
            #expect(idle.stdout.hasPrefix("sent 0, deferred 0, failed 0, unknown 0"), "\(kind): \(idle.stdout) \(idle.stderr)")
            let status = try await outbox.run(["status"])
            printed.append(String(status.stdout.drop { $0 != "\n" }.split(separator: "\n\n").last { $0.contains("outcome unknown") } ?? ""))
            #expect(printed[1].contains("outcome unknown") && printed[1].contains("message 2 of acme"), "\(kind): \(status.stdout)")
            let show = try await outbox.run(["show", "1"])
            printed.append(show.stdout.split(separator: "\n").filter { $0.contains("resolve") }.joined(separator: "\n"))
            for arguments in [["resolve", "1", "--resend"], ["resolve", "2", "--sent", "--json"], ["resolve", "2", "--sent"], ["resolve", "99", "--resend"]] {
                let result = try await outbox.run(arguments)
                printed.append("\(result.status) \(result.stdout) \(result.stderr)")
            }
            let resent = try await outbox.run(["serve", "--once", "--config", config])
            #expect(resent.stdout.hasPrefix("sent 1, deferred 0, failed 0, unknown 0"), "\(kind): \(resent.stdout) \(resent.stderr)")
            _ = try await outbox.run(["serve", "--once", "--config", config])
            let list = try await outbox.run(["list", "--json"])
            printed.append(Self.normalised(list.stdout))
            // At the server: each message's final "." once in the dropped connection, message 1 accepted once more, message 2 never again.
            let accepted = try server.messages().filter { $0.outcome == "accepted" }.flatMap { $0.rcptTos ?? [] }
            #expect(accepted == ["a@example.com"], "\(kind)")
            #expect(try server.messages().count == 3, "\(kind)")
            outputs[kind] = printed
        }
        let expected = try #require(outputs[.sqlite]), actual = try #require(outputs[.postgres])
        #expect(actual.count == expected.count)
        for (sqliteOutput, postgresOutput) in zip(expected, actual) {
            #expect(Self.normalised(postgresOutput) == Self.normalised(sqliteOutput))
        }
        #expect(try cluster.sql("SELECT count(*) FROM unknown_outcome", database: "outbox") == "0")
        // The headers as sent of both messages, kept by the group commits (one statement each).
        #expect(try cluster.sql("SELECT count(*) FROM sent_header WHERE length(header) > 100 AND length(sha256) = 64", database: "outbox") == "2")
        #expect(try cluster.sql("SELECT kind FROM event WHERE message_id = 2 ORDER BY id", database: "outbox").hasSuffix("attempt\nunknown\nresolved\nsent"))
    }

    /// `outbox status` on a PostgreSQL copy prints the send paces and the parked unknown
    /// outcomes the SQLite original prints.
    @Test func statusShowsPacesAndUnknownOutcomesAsOnSQLite() async throws {
        let source = try await StoreFixture(.sqlite), target = try await StoreFixture(.postgres)
        defer { source.close(); target.close() }
        let database = try #require(source.store as? OutboxDatabase)
        let now = OutboxDatabase.milliseconds(Date())
        _ = try database.enqueue(batchKey: nil, source: nil, now: now, attachments: source.attachmentPolicy,
                                 messages: entries([try draft("a@example.com", owner: "acme"), try draft("b@example.com", owner: "globex")]))
        let claimed = try database.claimBatch(leaseOwner: "node", limit: 2, now: now, dueBy: now, leaseUntil: now + 60_000)
        let plan = DeliveryRecord.UnknownPlan(action: .hold, dueAt: nil, headerMessageID: "<m1@firma.example>")
        _ = try database.record([PendingRecord(DeliveryRecord(verdict: .unknown(plan), code: nil, text: "connection lost after the final \".\"; held",
                                                              recipients: []), messageID: claimed.messages[0].id)], leaseOwner: "node", now: now)
        try database.recordPace(SendPaceRecord(owner: "globex", level: 2, pausedUntil: now + 3_600_000, reason: "gmail-4.7.28: 421 4.7.28 slow down",
                                               updatedAt: now), detail: "slower")
        let sqlite = source.process, postgres = OutboxProcess(database: try #require(target.cluster).url(database: "outbox"))
        let copied = try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database])
        #expect(copied.status == 0, "\(copied.stderr)")
        let expected = try await sqlite.run(["status"]), actual = try await postgres.run(["status"])
        #expect(actual.status == 0 && actual.stderr.isEmpty, "\(actual.stderr)")
        #expect(actual.stdout.contains("globex: level 2") && actual.stdout.contains("outcome unknown") && actual.stdout.contains("message 1 of acme"),
                "\(actual.stdout)")
        #expect(actual.stdout == expected.stdout)
    }

    /// Two `serve` nodes on one PostgreSQL outbox: a parked message is claimed by neither
    /// while it waits; `outbox resolve --resend` wakes them and exactly one sends it, once.
    @Test func aParkedMessageWaitsOnEveryNodeUntilResolved() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let server = try TestSMTPServer(["--drop-in-data", "--drop-count", "1"])
        defer { server.stop() }
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let outbox = OutboxProcess(database: url)
        #expect(try await outbox.run(["profile", "set", "acme", "--host", "127.0.0.1", "--port", "\(server.port)", "--tls", "none",
                                      "--from", "acme@firma.example"]).status == 0)
        let config = try fixture.file("outbox.conf", Array("[delivery]\nworkers = 2\nunknown-outcome = hold\n[dkim]\nsign-modes = none\n".utf8))
        let batch = try fixture.file("one.jsonl", Array(#"{"owner":"acme","to":["a@example.com"],"subject":"Once","text":"1"}"#.utf8))
        let outcome = try await onDedicatedThread { () throws -> (parked: Bool, stillParked: String, resent: Bool, logs: String) in
            let nodes = try (1...2).map { try ServeDaemon(database: url, arguments: ["--config", config], logPath: directory + "/node\($0).log") }
            defer { nodes.forEach { $0.stop() } }
            _ = try OutboxProcess(database: url).run(["enqueue", batch])
            let parked = eventually(within: 120) { (try? cluster.sql("SELECT action FROM unknown_outcome", database: "outbox")) == "hold" }
            usleep(3_000_000)  // both nodes recheck several times meanwhile
            let stillParked = try cluster.sql("SELECT state || ' ' || attempts FROM message", database: "outbox")
            _ = try OutboxProcess(database: url).run(["resolve", "1", "--resend"])
            let resent = eventually(within: 120) { (try? cluster.sql("SELECT state FROM message", database: "outbox")) == "sent" }
            usleep(2_000_000)
            return (parked, stillParked, resent, nodes.map(\.log).joined(separator: "\n"))
        }
        #expect(outcome.parked, "\(outcome.logs.suffix(2_000))")
        #expect(outcome.stillParked == "deferred 1")
        #expect(outcome.resent, "\(outcome.logs.suffix(2_000))")
        let messages = try server.messages()
        #expect(messages.map { $0.outcome ?? "" } == ["dropped", "accepted"])
        #expect(try cluster.sql("SELECT attempts FROM message", database: "outbox") == "2")
    }

    /// Owner `juri` sending from firma.ee through `relay` in system mode (which signs by
    /// default) on the PostgreSQL outbox of `fixture`, with a secrets key; the configuration's path.
    static func signingSender(_ fixture: StoreFixture, relay: TestSMTPServer) async throws -> (PostgresCluster, OutboxProcess, String) {
        let cluster = try #require(fixture.cluster)
        let outbox = OutboxProcess(database: cluster.url(database: "outbox"), environment: try await secretsKey(in: fixture.directory))
        let config = try fixture.file("outbox.conf", Array("[relay]\nhost = 127.0.0.1\nport = \(relay.port)\ntls = none\n".utf8))
        #expect(try await outbox.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee"]).status == 0)
        return (cluster, outbox, config)
    }

    /// dkimpy's pass/fail per signature of `message`, with the TXT `records` (DNS name → text)
    /// served by the stub resolver of `Tests/Servers/dkim_verify.py`.
    static func dkimpy(_ message: [UInt8], records: [String: String], in directory: String) throws -> [Bool] {
        let name = UUID().uuidString
        try Data(message).write(to: URL(fileURLWithPath: "\(directory)/\(name).eml"))
        try JSONSerialization.data(withJSONObject: records).write(to: URL(fileURLWithPath: "\(directory)/\(name).json"))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Servers/dkim_verify.py").path
        let run = try ChildProcess.runBlocking("python3", [script, "\(directory)/\(name).eml", "\(directory)/\(name).json"])
        #expect(run.status == 0, "\(run.stderrText)")
        let verdicts = try #require(try JSONSerialization.jsonObject(with: Data(run.stdoutText.utf8)) as? [[String: Any]])
        return verdicts.map { $0["pass"] as? Bool == true }
    }
}
