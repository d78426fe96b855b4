import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox store copy` through the real binary, from SQLite outboxes in temporary
/// directories into databases of a private PostgreSQL cluster.
@Suite(.serialized) struct StoreCopyTests {
    /// Every message state, attachments, a sealed password, suppressions, a bounce, a
    /// DKIM key and an API token: copied, verified, and read the same from both stores.
    @Test(.timeLimit(.minutes(10))) func copyCarriesEveryStateAndTable() async throws {
        let (source, cluster) = try await StoreCopyFixture.everyState()
        defer { source.close(); cluster.stop() }
        let sqlite = source.process, postgres = OutboxProcess(database: cluster.url(database: "outbox"))

        let copied = try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database, "--json"])
        #expect(copied.status == 0, "\(copied.stderr)")
        let report = try #require(try copied.json() as? [String: Any])
        let tables = try #require(report["tables"] as? [[String: Any]])
        let rows = Dictionary(uniqueKeysWithValues: tables.map { ($0["name"] as! String, $0["rows"] as! Int) })
        #expect(rows["message"] == 6 && rows["recipient"] == 7 && rows["content"] == 1 && rows["attachment"] == 1)
        #expect(rows["suppression"] == 1 && rows["bounce"] == 1 && rows["dkim_key"] == 1 && rows["api_token"] == 1 && rows["profile"] == 1)
        #expect((rows["event"] ?? 0) >= 10)
        #expect(report["sendingAtSnapshot"] as? Int == 1)
        #expect(!copied.stdout.contains("secret-password"))

        try StoreCopyFixture.expectSameOutput(sqlite, postgres, messages: 1...6)
        // The sealed password went across byte for byte, never opened.
        let sealed = try cluster.sql("SELECT encode(secret_sealed, 'hex') FROM profile WHERE owner = 'acme'", database: "outbox")
        #expect(sealed.count > 64)
        // A new id continues after the copied ones.
        try cluster.sql("INSERT INTO event (at, kind) VALUES (1, 'purged')", database: "outbox")
        let lastID = try cluster.sql("SELECT max(id) FROM event", database: "outbox")
        #expect(Int(lastID) == (report["lastEventID"] as? Int).map { $0 + 1 })
    }

    /// A target that holds outbox data is refused, and with `--into-non-empty` a copy whose
    /// ids collide leaves the target exactly as it was.
    @Test(.timeLimit(.minutes(10))) func refusesANonEmptyTargetAndLeavesNothingPartial() async throws {
        let (source, cluster) = try await StoreCopyFixture.everyState()
        defer { source.close(); cluster.stop() }
        let sqlite = source.process, postgres = OutboxProcess(database: cluster.url(database: "outbox"))
        #expect(try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database]).status == 0)
        let before = try cluster.sql("SELECT count(*) || '/' || (SELECT count(*) FROM event) FROM message", database: "outbox")

        let refused = try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("already holds outbox data") && refused.stderr.contains("--into-non-empty"), "\(refused.stderr)")
        let colliding = try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database, "--into-non-empty"])
        #expect(colliding.status != 0 && colliding.stderr.contains("duplicate key"), "\(colliding.status) \(colliding.stderr) \(colliding.stdout)")
        #expect(try cluster.sql("SELECT count(*) || '/' || (SELECT count(*) FROM event) FROM message", database: "outbox") == before)

        // Wrong way round, and a password in the URL, are refused before anything is read.
        #expect(try await sqlite.run(["store", "copy", "--from", postgres.database, "--to", sqlite.database]).status != 0)
        let password = try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", "postgres://outbox:hunter2@127.0.0.1/outbox"])
        #expect(password.status != 0 && password.stderr.contains("password in the URL is refused") && !password.stderr.contains("hunter2"))
    }

    /// cancel, retry, purge, suppressions and bounces list through the binary print the same
    /// on a PostgreSQL copy as on the SQLite original, and leave the same messages and events.
    @Test(.timeLimit(.minutes(10))) func operatorCommandsPrintTheSameOnBothStores() async throws {
        let (source, cluster) = try await StoreCopyFixture.everyState()
        defer { source.close(); cluster.stop() }
        let sqlite = source.process, postgres = OutboxProcess(database: cluster.url(database: "outbox"))
        #expect(try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database]).status == 0)
        let commands = [
            ["cancel", "5"], ["cancel", "1"], ["cancel", "999"], ["retry", "3", "--json"], ["retry", "1"], ["cancel", "--batch", "1"],
            ["retry", "--batch", "1"], ["retry", "--batch", "7"], ["suppressions", "add", "New@Example.com", "--reason", "asked by phone"],
            ["suppressions", "add", "gone@example.com"], ["suppressions", "remove", "gone@example.com"], ["suppressions", "remove", "nobody@example.com"],
            ["suppressions", "add", "not an address"], ["bounces", "list"], ["bounces", "list", "--limit", "1", "--before", "2", "--json"],
            ["purge", "--older-than", "1d"], ["purge", "--older-than", "1d", "--json"],
            ["dkim", "list"], ["dkim", "show", "--domain", "example.com", "--selector", "s1", "--json"], ["resolve", "4", "--sent"],
        ]
        for arguments in commands {
            let expected = try await sqlite.run(arguments), actual = try await postgres.run(arguments)
            #expect(actual.status == expected.status, "\(arguments): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(arguments)")
            #expect(actual.stderr == expected.stderr, "\(arguments)")
        }
        for arguments in [["list", "--json"], ["events", "--json", "--limit", "10000"], ["suppressions", "list", "--all", "--json"], ["status", "--json"]] {
            let expected = try await sqlite.run(arguments), actual = try await postgres.run(arguments)
            #expect(try StoreCopyFixture.timeless(actual.stdout) == StoreCopyFixture.timeless(expected.stdout), "\(arguments)")
        }
        // The copied outbox has the current schema: init finds nothing to do.
        let initialised = try await postgres.run(["init"])
        #expect(initialised.status == 0 && initialised.stdout.hasSuffix("; already up to date)\n"), "\(initialised.stdout)\(initialised.stderr)")
    }

    /// A copy taken while another process keeps enqueueing holds whole batches only: one snapshot.
    @Test(.timeLimit(.minutes(10))) func copiesALiveOutboxFromOneSnapshot() async throws {
        let (source, cluster) = try await StoreCopyFixture.everyState()
        defer { source.close(); cluster.stop() }
        let sqlite = source.process
        let writer = Task.detached {
            var batches = 0
            while !Task.isCancelled {
                batches += 1
                _ = try await source.store.enqueue(batchKey: "live-\(batches)", source: nil, now: 1_700_000_100_000, attachments: source.attachmentPolicy,
                                                   messages: entries(try (0..<200).map { try draft("r\($0)@example.com", owner: "live") }))
            }
            return batches
        }
        try await Task.sleep(for: .milliseconds(300))
        let copied = try await OutboxProcess(database: sqlite.database).run(["store", "copy", "--from", sqlite.database, "--to", cluster.url(database: "outbox")])
        writer.cancel()
        let written = try await writer.value
        #expect(copied.status == 0, "\(copied.stderr)")
        // Every copied batch is whole, and the enqueue kept going during the copy.
        let torn = try cluster.sql("""
            SELECT count(*) FROM batch b WHERE b.message_count <> (SELECT count(*) FROM message m WHERE m.batch_id = b.id)
            """, database: "outbox")
        #expect(torn == "0")
        let copiedLive = Int(try cluster.sql("SELECT count(*) FROM batch WHERE batch_key LIKE 'live-%'", database: "outbox")) ?? -1
        #expect(copiedLive >= 1 && copiedLive < written, "copied \(copiedLive) of \(written) live batches")
    }

    /// 100,000 messages: `list --json`, `events --json` and `show` print the same from
    /// both stores after the copy, and the copy's content hashes match.
    @Test(.timeLimit(.minutes(10))) func copyOf100000MessagesRoundTrips() async throws {
        let source = try await StoreFixture(.sqlite)
        let cluster = try PostgresCluster()
        defer { source.close(); cluster.stop() }
        let count = 100_000
        var drafts: [MessageDraft] = []
        for index in 0..<count {
            drafts.append(try draft("person\(index)@example.com", key: "m-\(index)", owner: "owner\(index % 7)", priority: index % 3,
                                    subject: "Invoice \(index)"))
        }
        _ = try await source.store.enqueue(batchKey: "big", source: "big.jsonl", now: 1_700_000_000_000, attachments: source.attachmentPolicy,
                                           messages: entries(drafts))
        let claimed = try await source.store.claimBatch(leaseOwner: "node", limit: 500, now: 1_700_000_001_000, dueBy: 1_700_000_001_000,
                                                        leaseUntil: 1_700_000_061_000)
        _ = try await source.store.record(claimed.messages.map {
            PendingRecord(DeliveryRecord(verdict: .sent, code: 250, text: "250 ok", recipients: []), messageID: $0.id)
        }, leaseOwner: "node", now: 1_700_000_002_000)
        try cluster.createDatabase("outbox")
        let sqlite = source.process, postgres = OutboxProcess(database: cluster.url(database: "outbox"))

        let started = ContinuousClock.now
        let copied = try await sqlite.run(["store", "copy", "--from", sqlite.database, "--to", postgres.database, "--json"])
        let elapsed = ContinuousClock.now - started
        #expect(copied.status == 0, "\(copied.stderr)")
        let report = try #require(try copied.json() as? [String: Any])
        print("store copy of \(count) messages: \(elapsed) wall (the command's own figure: \(report["seconds"] ?? "?") s)")
        let tables = try #require(report["tables"] as? [[String: Any]])
        #expect(tables.first { $0["name"] as? String == "message" }?["rows"] as? Int == count)

        for command in [["list", "--json", "--limit", "10000"], ["events", "--json", "--limit", "10000"]] {
            var after = 0, pages = 0
            while true {
                let page = command + ["--after", String(after)]
                let expected = try await sqlite.run(page), actual = try await postgres.run(page)
                #expect(expected.status == 0 && actual.status == 0, "\(page): \(actual.stderr)")
                #expect(actual.stdout == expected.stdout, "\(page)")
                let items = try #require(try expected.json() as? [[String: Any]])
                guard let last = items.last?["id"] as? Int else { break }
                after = last
                pages += 1
            }
            #expect(pages >= (command[0] == "list" ? 10 : 1))
        }
        for id in [1, 250, 499, 500, 501, 50_000, count] {
            for arguments in [["show", String(id)], ["show", String(id), "--json"]] {
                let expected = try await sqlite.run(arguments), actual = try await postgres.run(arguments)
                #expect(expected.status == 0 && actual.stdout == expected.stdout, "\(arguments): \(actual.stderr)")
            }
        }
        #expect(try await sqlite.run(["status", "--json"]).stdout == (try await postgres.run(["status", "--json"]).stdout))
    }
}

extension StoreFixture {
    /// The real `outbox` binary on this fixture's SQLite file.
    var process: OutboxProcess { OutboxProcess(database: directory + "/outbox.db") }
}

/// Outboxes for the copy tests, and the comparison of what both stores print.
enum StoreCopyFixture {
    /// An SQLite outbox filled by ``fillWithEveryState(_:_:)`` and a cluster with an empty database `outbox`.
    static func everyState() async throws -> (StoreFixture, PostgresCluster) {
        let source = try await StoreFixture(.sqlite)
        do {
            let cluster = try PostgresCluster()
            do {
                try await fillWithEveryState(source, source.process)
                try cluster.createDatabase("outbox")
                return (source, cluster)
            } catch {
                cluster.stop()
                throw error
            }
        } catch {
            source.close()
            throw error
        }
    }

    /// Messages in every state (queued, sending, sent, deferred, failed, cancelled), one
    /// with an attachment, plus a profile with a sealed password, a suppression, a bounce,
    /// a DKIM key and an API token, written through the store and the real binary.
    static func fillWithEveryState(_ fixture: StoreFixture, _ outbox: OutboxProcess) async throws {
        let store = fixture.store
        let pdf = try fixture.file("invoice.pdf", Array(repeating: 0x25, count: 4096))
        var withAttachment = try draft("a@example.com", key: "k-1", owner: "acme", subject: "Invoice 1")
        withAttachment.attachments = [AttachmentSource(content: .file(path: pdf), filename: "invoice.pdf", contentType: "application/pdf")]
        var twoRecipients = try draft("b@example.com", key: "k-2", owner: "acme", subject: "Invoice 2\twith tab\nand newline \\ backslash")
        twoRecipients.recipients.append(Recipient(kind: .cc, mailbox: try Mailbox.parse("Jüri Õun <juri@example.com>")))
        twoRecipients.textBody = String(repeating: "Long body, compressed on SQLite. ", count: 200)
        _ = try await store.enqueue(batchKey: "every-state", source: "every.jsonl", now: 1_700_000_000_000, attachments: fixture.attachmentPolicy,
                                    messages: entries([withAttachment, twoRecipients] + (3...6).map { try draft("r\($0)@example.com", owner: $0 % 2 == 0 ? "globex" : "acme") }))
        let claimed = try await store.claimBatch(leaseOwner: "node-a", limit: 4, now: 1_700_000_001_000, dueBy: 1_700_000_001_000, leaseUntil: 1_700_000_061_000)
        let ids = claimed.messages.map(\.id)
        func record(_ verdict: DeliveryRecord.Verdict, _ code: Int, _ text: String) -> DeliveryRecord {
            DeliveryRecord(verdict: verdict, code: code, text: text, recipients: [])
        }
        _ = try await store.record([
            PendingRecord(record(.sent, 250, "250 2.0.0 ok"), messageID: ids[0]),
            PendingRecord(record(.deferred(nextAttemptAt: 1_700_000_900_000), 451, "451 4.7.1 try later"), messageID: ids[1]),
            PendingRecord(record(.failed, 550, "550 5.1.1 no such user"), messageID: ids[2]),
        ], leaseOwner: "node-a", now: 1_700_000_002_000)  // ids[3] stays sending
        for arguments in [["cancel", "6"], ["suppressions", "add", "gone@example.com", "--reason", "asked"],
                          ["dkim", "keygen", "--domain", "example.com", "--selector", "s1", "--algorithm", "ed25519"],
                          ["api-token", "create", "erp", "--owner", "acme"]] {
            let result = try await outbox.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let profile = try await outbox.run(["profile", "set", "acme", "--host", "127.0.0.1", "--port", "2525", "--tls", "none", "--user", "acme",
                                      "--password-stdin"], stdin: "secret-password\n")
        #expect(profile.status == 0, "\(profile.stderr)")
        let bounce = try String(contentsOfFile: StoreCopyFixture.samples + "/01-postfix-dsn-failed.eml", encoding: .utf8)
        let ingested = try await outbox.run(["bounces", "ingest", "--source", "test"], stdin: bounce)
        #expect(ingested.status == 0, "\(ingested.stderr)")
    }

    /// A JSON document with every time (Unix milliseconds written by the command's own clock) set to 0.
    static func timeless(_ json: String) throws -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return Dictionary(uniqueKeysWithValues: object.map { key, value in
                    (key, ["at", "createdAt", "updatedAt", "finishedAt", "nextAttemptAt"].contains(key) && value is NSNumber ? 0 : strip(value))
                })
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let stripped = strip(try JSONSerialization.jsonObject(with: Data(json.utf8)))
        return String(decoding: try JSONSerialization.data(withJSONObject: stripped, options: [.sortedKeys]), as: UTF8.self)
    }

    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("BounceSamples").path

    /// `list`, `events`, `show`, `status`, `suppressions list` and `bounces list` print the same from both stores.
    static func expectSameOutput(_ sqlite: OutboxProcess, _ postgres: OutboxProcess, messages: ClosedRange<Int>) throws {
        var commands = [["list"], ["list", "--json"], ["events", "--json", "--limit", "10000"], ["events"], ["status", "--json"],
                        ["suppressions", "list", "--json"], ["bounces", "list", "--json"], ["bounces", "list"]]
        for id in messages { commands += [["show", String(id)], ["show", String(id), "--json"]] }
        for arguments in commands {
            let expected = try sqlite.run(arguments), actual = try postgres.run(arguments)
            #expect(expected.status == 0 && actual.status == 0, "\(arguments): \(expected.stderr) \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(arguments)")
        }
    }
}
