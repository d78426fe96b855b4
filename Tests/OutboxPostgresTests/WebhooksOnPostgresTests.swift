import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// Webhooks on a PostgreSQL outbox: the real `outbox` binary (`webhooks add|list|remove|deliveries`,
/// `serve`, `serve --once`), aiosmtpd as the mail server and `webhook_receiver.py` on
/// loopback, which checks every signature itself; and the dispatcher's store side with
/// two nodes on one database.
@Suite(.serialized, .timeLimit(.minutes(10))) struct WebhooksOnPostgresTests {
    /// Two `serve` nodes on one PostgreSQL outbox, one endpoint: every `sent` and `failed`
    /// event reaches the receiver exactly once, signed, and is recorded delivered once.
    @Test func twoNodesDeliverEveryEventOnceSigned() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let total = 24
        let rejected = (0..<total).filter { $0 % 4 == 0 }
        let smtp = try TestSMTPServer(rejected.map { "r\($0)@customer.test=550 5.1.1 No such user" }.flatMap { ["--rcpt-reply", $0] })
        defer { smtp.stop() }
        try setProfile(fixture, port: smtp.port)
        let setup = try WebhookSetup(fixture.directory, database: cluster.url(database: "outbox"))
        defer { setup.receiver.stop() }
        try setup.addWebhook("sent,failed")
        let document = (0..<total).map { index in
            let to = rejected.contains(index) ? "r\(index)@customer.test" : "m\(index)@customer.test"
            return #"{"owner":"alice","to":["\#(to)"],"subject":"Arve","text":"Tere","key":"INV-\#(index)"}"#
        }.joined(separator: "\n")
        let enqueued = try await setup.cli.run(["enqueue", "-"], stdin: document)
        #expect(enqueued.status == 0, "\(enqueued.stderr)")
        let config = try setup.config("poll-interval = 1s")
        let outcome = try await onDedicatedThread { () throws -> (done: Bool, logs: String) in
            let nodes = try (1...2).map { try setup.serve(config: config, name: "node-\($0)") }
            defer { for node in nodes { node.killIfRunning() } }
            let done = try eventually(within: 240) { try setup.receiver.events("delivery").count >= total }
            usleep(3_000_000)  // time for a second delivery of an event, were there one
            for node in nodes { _ = node.stop() }
            return (done, nodes.map(\.log).joined(separator: "\n"))
        }
        #expect(outcome.done, "\(outcome.logs.suffix(3_000))")
        let outcomes = try cluster.sql("SELECT count(*) FROM event WHERE kind IN ('sent', 'failed')", database: "outbox")
        #expect(outcomes == String(total), "each message ended sent or failed once")
        let received = try setup.receiver.events("delivery")
        let ids = received.compactMap { $0["event_id"] as? String }
        #expect(received.count == total && Set(ids).count == total, "each event once: \(ids.sorted())")
        #expect(received.allSatisfy { $0["verified"] as? Bool == true }, "every delivery carries a valid signature")
        let kinds = received.compactMap { ($0["payload"] as? [String: Any])?["kind"] as? String }
        #expect(kinds.filter { $0 == "failed" }.count == rejected.count && kinds.filter { $0 == "sent" }.count == total - rejected.count, "\(kinds)")
        let stored = try #require(try await setup.cli.run(["webhooks", "deliveries", "--json"]).json() as? [[String: Any]])
        #expect(stored.count == total && stored.allSatisfy { $0["state"] as? String == "delivered" && $0["attempts"] as? Int == 1 }, "\(stored)")
    }

    /// A receiver that answers 500 first: the delivery is retried with backoff on PostgreSQL,
    /// with the same event id, and both attempts are recorded.
    @Test func aFailingReceiverIsRetried() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let smtp = try TestSMTPServer()
        defer { smtp.stop() }
        try setProfile(fixture, port: smtp.port)
        let setup = try WebhookSetup(fixture.directory, database: cluster.url(database: "outbox"), receiver: ["--statuses", "500,200"])
        defer { setup.receiver.stop() }
        try setup.addWebhook("sent")
        #expect(try await setup.cli.run(["enqueue", "-"], stdin: #"{"owner":"alice","to":["a@customer.test"],"subject":"Arve","text":"Tere"}"#).status == 0)
        let config = try setup.config("poll-interval = 1s\nfirst-retry = 2s")
        let outcome = try await onDedicatedThread { () throws -> (done: Bool, log: String) in
            let node = try setup.serve(config: config, name: "node")
            defer { node.killIfRunning() }
            let done = try eventually(within: 120) {
                (try setup.cli.run(["webhooks", "deliveries", "--json"]).json() as? [[String: Any]])?.first?["state"] as? String == "delivered"
            }
            _ = node.stop()
            return (done, node.log)
        }
        #expect(outcome.done, "\(outcome.log.suffix(3_000))")
        let received = try setup.receiver.events("delivery")
        #expect(received.map { $0["status"] as? Int } == [500, 200])
        #expect(Set(received.map { $0["event_id"] as? String }).count == 1, "a retried delivery carries the same event id")
        let delivery = try #require((try await setup.cli.run(["webhooks", "deliveries", "--json"]).json() as? [[String: Any]])?.first)
        let history = try #require(delivery["history"] as? [[String: Any]])
        #expect(history.map { $0["status"] as? Int } == [500, 200])
        #expect((history.first?["error"] as? String)?.contains("HTTP 500") == true)
        let list = try await setup.cli.run(["webhooks", "list"])
        #expect(list.status == 0 && list.stdout.contains(setup.receiver.url + "/outbox"), "\(list.stdout)\(list.stderr)")
    }

    /// `serve --once` delivers the webhooks of what it sent, on both stores, and every
    /// webhooks command prints the same on both (times and latencies aside).
    @Test func serveOnceDeliversAndTheCommandsPrintTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let cluster = try #require(postgres.cluster)
        let smtp = try TestSMTPServer()
        defer { smtp.stop() }
        var printed: [[String]] = []
        for (fixture, database) in [(sqlite, sqlite.directory + "/outbox.db"), (postgres, cluster.url(database: "outbox"))] {
            if fixture.cluster != nil { try setProfile(fixture, port: smtp.port) }
            let setup = try WebhookSetup(fixture.directory, database: database)
            defer { setup.receiver.stop() }
            if fixture.cluster == nil {
                #expect(try await setup.cli.run(["profile", "set", "alice", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(smtp.port), "--tls", "none",
                                           "--from", "alice@firma.example"]).status == 0)
            }
            var outputs: [String] = []
            let step = { (arguments: [String]) throws -> Void in
                let result = try setup.cli.run(arguments)
                outputs.append("$ \(arguments.joined(separator: " ")) → \(result.status)\n\(result.stdout)\(result.stderr)")
            }
            try step(["webhooks", "list"])
            try step(["webhooks", "add", "http://erp.example/hook", "--events", "bounced"])
            try step(["webhooks", "add", "https://erp.example/hook", "--events", "bounced,bouncd"])
            let id = try setup.addWebhook("sent")
            let other = try await setup.cli.run(["webhooks", "add", "https://erp.example/hook", "--events", "bounced,unsubscribed", "--owner", "acme"])
            outputs.append(other.stdout.replacingOccurrences(of: #"whsec_[0-9a-f]{64}"#, with: "SECRET", options: .regularExpression))
            #expect(try await setup.cli.run(["enqueue", "-"], stdin: #"{"owner":"alice","to":["a@customer.test"],"subject":"Arve","text":"Tere","key":"K1"}"#).status == 0)
            let once = try await onDedicatedThread { try setup.cli.run(["serve", "--once", "--config", try setup.config("poll-interval = 1s")]) }
            #expect(once.status == 0, "\(once.stderr)")
            let received = try setup.receiver.events("delivery")
            #expect(received.count == 1 && received.first?["verified"] as? Bool == true, "\(received) \(once.stderr)")
            #expect((received.first?["payload"] as? [String: Any])?["messageKey"] as? String == "K1")
            try step(["webhooks", "list"])
            try step(["webhooks", "list", "--json"])
            try step(["webhooks", "deliveries"])
            try step(["webhooks", "deliveries", "--failed"])
            try step(["webhooks", "deliveries", "--endpoint", String(id), "--limit", "5"])
            try step(["webhooks", "remove", "2"])
            try step(["webhooks", "remove", "2"])
            try step(["webhooks", "list"])
            printed.append(outputs.map { Self.withoutTimes($0.replacingOccurrences(of: setup.receiver.url, with: "RECEIVER")) })
            if fixture.cluster != nil {
                let secret = try String(contentsOfFile: setup.secretFile, encoding: .utf8)
                let stored = try cluster.sql("SELECT count(*) FROM webhook_endpoint WHERE position(convert_to(\(Self.quoted(secret)), 'UTF8') IN secret_sealed) > 0",
                                             database: "outbox")
                #expect(stored == "0", "the secret is stored sealed")
                #expect(try cluster.sql("SELECT count(*) FROM setting WHERE name = 'secrets-public-key'", database: "outbox") == "1")
            }
        }
        #expect(printed[0] == printed[1])
    }

    /// The store side with two nodes: both schedule at once and each event becomes one
    /// delivery; a claimed delivery is the claiming node's until its lease ends, then
    /// another node takes it (a node killed mid-delivery loses nothing).
    @Test func twoNodesScheduleOnceAndALapsedLeaseIsTakenOver() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let second = try await fixture.secondNode()
        defer { second.close() }
        try cluster.sql("INSERT INTO webhook_endpoint (url, events, secret_sealed, cursor, created_at) VALUES ('https://erp.example/h', 'sent', '\\x00', 0, 1)",
                        database: "outbox")
        try cluster.sql("INSERT INTO event (at, kind) SELECT 1, CASE WHEN i % 2 = 0 THEN 'sent' ELSE 'attempt' END FROM generate_series(1, 400) i", database: "outbox")
        let nodes = try await onDedicatedThread { [postgres = fixture.postgres!] in
            [try PostgresDeliveryStore(postgres).makeWebhookDispatchStore(), try PostgresDeliveryStore(second).makeWebhookDispatchStore()]
        }
        let written = try await withThrowingTaskGroup(of: Int.self) { group in
            for node in nodes {
                group.addTask {
                    try await onDedicatedThread {
                        // Until this node sees nothing more to do: a call that finds the endpoint row
                        // locked by the other node skips it, so a fixed number of rounds may leave events unscheduled.
                        var written = 0, more = true
                        while more {
                            let round = try node.scheduleWebhookDeliveries(now: 1, limit: 50)
                            written += round.written
                            more = round.more
                        }
                        return written
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(written == 200)
        #expect(try cluster.sql("SELECT count(*) FROM webhook_delivery", database: "outbox") == "200")
        #expect(try cluster.sql("SELECT cursor FROM webhook_endpoint", database: "outbox") == "400")

        let lease: Duration = .seconds(3)
        let (first, meanwhile) = try await onDedicatedThread {
            (try nodes[0].claimDueWebhookDeliveries(endpointID: 1, now: 1, limit: 150, busy: [], lease: lease),
             try nodes[1].claimDueWebhookDeliveries(endpointID: 1, now: 1, limit: 150, busy: [], lease: lease))
        }
        #expect(first.count == 150 && meanwhile.count == 50 && Set(first.map(\.deliveryID)).isDisjoint(with: meanwhile.map(\.deliveryID)))
        #expect(first.allSatisfy { $0.event?.kind == "sent" && $0.secret == nil && $0.secretProblem != nil })
        let recorded = try #require(meanwhile.first)
        try await onDedicatedThread {
            for dispatch in meanwhile {
                try nodes[1].recordWebhookAttempt(deliveryID: dispatch.deliveryID, at: 2, status: 200, latencyMilliseconds: 1, error: nil, outcome: .delivered)
            }
        }
        // Node 0 "dies": its 150 come back when the lease ends, for node 1; the recorded ones never.
        let takenOver = try await onDedicatedThread { () throws -> [WebhookDispatch] in
            var taken: [WebhookDispatch] = []
            _ = try eventually(within: 120) {
                taken += try nodes[1].claimDueWebhookDeliveries(endpointID: 1, now: 1, limit: 200, busy: [], lease: lease)
                return taken.count >= 150
            }
            return taken
        }
        #expect(Set(takenOver.map(\.deliveryID)) == Set(first.map(\.deliveryID)))
        #expect(!takenOver.contains { $0.deliveryID == recorded.deliveryID })
        // A late record by the node whose lease lapsed does not undo another node's outcome.
        try await onDedicatedThread {
            try nodes[1].recordWebhookAttempt(deliveryID: first[0].deliveryID, at: 3, status: 200, latencyMilliseconds: 1, error: nil, outcome: .delivered)
            try nodes[0].recordWebhookAttempt(deliveryID: first[0].deliveryID, at: 4, status: 500, latencyMilliseconds: 1, error: "HTTP 500",
                                              outcome: .retry(at: 5))
        }
        #expect(try cluster.sql("SELECT state || ' ' || attempts FROM webhook_delivery WHERE id = \(first[0].deliveryID)", database: "outbox") == "delivered 1")
        #expect(try cluster.sql("SELECT count(*) FROM webhook_attempt WHERE delivery_id = \(first[0].deliveryID)", database: "outbox") == "2")
    }

    /// An event whose transaction is still open when a later event is visible: the cursor
    /// waits before its id, so it is delivered when it commits; an id whose transaction
    /// rolled back is passed once every transaction open when the gap was seen has ended.
    @Test func theCursorWaitsForAnEventStillBeingWritten() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        try cluster.sql("INSERT INTO webhook_endpoint (url, events, secret_sealed, cursor, created_at) VALUES ('https://erp.example/h', 'sent', '\\x00', 0, 1)",
                        database: "outbox")
        let node = try await onDedicatedThread { [postgres = fixture.postgres!] in try PostgresDeliveryStore(postgres).makeWebhookDispatchStore() }
        for ending in ["COMMIT", "ROLLBACK"] {
            let before = try cluster.sql("SELECT coalesce(max(id), 0) FROM event", database: "outbox")
            let open = Thread {
                _ = try? cluster.sql("BEGIN; INSERT INTO event (at, kind) VALUES (1, 'sent'); SELECT pg_sleep(4); \(ending);", database: "outbox")
            }
            open.start()
            #expect(try await onDedicatedThread {
                try eventually(within: 60) {
                    try cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'BEGIN; INSERT INTO event%'", database: "outbox") == "1"
                }
            })
            try cluster.sql("INSERT INTO event (at, kind) VALUES (1, 'sent')", database: "outbox")
            let later = try cluster.sql("SELECT max(id) FROM event", database: "outbox")
            _ = try await onDedicatedThread { try node.scheduleWebhookDeliveries(now: 1, limit: 100) }
            #expect(try cluster.sql("SELECT cursor FROM webhook_endpoint", database: "outbox") == before, "the cursor stops before the open event")
            #expect(try cluster.sql("SELECT count(*) FROM webhook_delivery WHERE event_id = \(later)", database: "outbox") == "1", "later events are scheduled")
            let passed = try await onDedicatedThread {
                try eventually(within: 120) {
                    _ = try node.scheduleWebhookDeliveries(now: 1, limit: 100)
                    return try cluster.sql("SELECT cursor FROM webhook_endpoint", database: "outbox") == later
                }
            }
            #expect(passed)
            let held = try cluster.sql("SELECT count(*) FROM webhook_delivery WHERE event_id = \(Int(later)! - 1)", database: "outbox")
            #expect(held == (ending == "COMMIT" ? "1" : "0"), "\(ending): the event in the open transaction")
        }
    }

    /// `2026-12-02 00:12:59Z` and `12ms` made alike (and the table columns they widen).
    static func withoutTimes(_ text: String) -> String {
        text.replacingOccurrences(of: #" {2,}"#, with: "  ", options: .regularExpression).replacingOccurrences(of: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ"#, with: "TIME", options: .regularExpression)
            .replacingOccurrences(of: #"\d+ms"#, with: "Nms", options: .regularExpression)
            .replacingOccurrences(of: #""(createdAt|at|latencyMilliseconds|finishedAt|nextAttemptAt)":\d+"#, with: "\"$1\":N", options: .regularExpression)
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// A webhook receiver on loopback and the `outbox` binary on one database, with a secrets key file.
final class WebhookSetup: @unchecked Sendable {
    let directory: String
    let receiver: LoopbackServer
    let secretFile: String
    let cli: OutboxProcess
    let environment: [String: String]

    init(_ directory: String, database: String, receiver arguments: [String] = []) throws {
        self.directory = directory
        secretFile = directory + "/receiver-secret"
        _ = FileManager.default.createFile(atPath: secretFile, contents: Data("not yet".utf8))
        receiver = try LoopbackServer("webhook_receiver.py", ["--secret-file", secretFile] + arguments)
        environment = ["OUTBOX_SECRETS_KEY_FILE": directory + "/secrets.key"]
        cli = OutboxProcess(database: database, environment: environment)
        // The nodes' secrets key, made once: `webhooks add` on PostgreSQL refuses a process without one.
        let initialised = try cli.run(["secrets", "init"])
        guard initialised.status == 0 else { throw TestServerError(message: "secrets init: \(initialised.stderr)") }
    }

    /// `outbox webhooks add` for `events`; the printed secret goes to the receiver.
    @discardableResult
    func addWebhook(_ events: String) throws -> Int {
        let added = try cli.run(["webhooks", "add", receiver.url + "/outbox", "--events", events, "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let json = try #require(try added.json() as? [String: String])
        try Data(try #require(json["secret"]).utf8).write(to: URL(fileURLWithPath: secretFile))
        return try #require(Int(json["id"] ?? ""))
    }

    /// A configuration file with `[webhooks]` `lines`, no DKIM, unknown outcomes resent.
    func config(_ lines: String) throws -> String {
        let path = directory + "/outbox-\(UUID().uuidString).conf"
        try Data("[webhooks]\n\(lines)\n[dkim]\nsign-modes = none\n[delivery]\nunknown-outcome = resend\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func serve(config: String, name: String) throws -> ServeDaemon {
        try ServeDaemon(database: cli.database, arguments: ["--config", config, "--poll", "50ms"], logPath: "\(directory)/\(name).log", environment: environment)
    }
}
