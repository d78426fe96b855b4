import Foundation
import OutboxTestSupport
import Testing

/// The HTTP API of `outbox serve` on a PostgreSQL outbox: two real serve nodes share one
/// private cluster, mail goes to smtp-sink, and Python's http.client is the client (a
/// client that is not ours), as in the SQLite API tests.
@Suite(.serialized, .timeLimit(.minutes(10))) struct APIOnPostgresTests {
    static let config = """
        [delivery]
        unknown-outcome = resend
        [dkim]
        sign-modes = none
        [http]
        listen = 127.0.0.1:0

        """

    /// A batch of `count` messages for owner billing, due in 2030 unless `due`.
    static func batch(_ key: String, count: Int, due: Bool = false) -> String {
        let messages = (1...count).map { #"{"key": "\#(key)-\#($0)", "to": ["r\#($0)@example.com"]}"# }.joined(separator: ", ")
        let notBefore = due ? "" : #", "notBefore": "2030-01-01T08:00:00+00:00""#
        return #"{"key": "\#(key)", "owner": "billing", "subject": "Arve", "text": "Tere"\#(notBefore), "messages": [\#(messages)]}"#
    }

    /// Every answer of the API, from two nodes: batches, lookups, owner limits, cancel and
    /// retry, attachments, event pages, the live stream of one node seeing what the other
    /// recorded, `/metrics`, the status page, and tokens made, listed and revoked with the CLI.
    @Test func twoNodesServeTheAPIOnOneOutbox() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let sink = try SMTPSink()
        defer { sink.stop() }
        try setProfile(fixture, owner: "billing", port: sink.port)
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let config = try fixture.file("outbox.conf", Array(Self.config.utf8))
        try await onDedicatedThread {
            let outbox = OutboxProcess(database: url)
            let created = try outbox.run(["api-token", "create", "erp"])
            #expect(created.status == 0, "\(created.stderr)")
            let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("obx_") && !created.stderr.contains(token))
            let other = try outbox.run(["api-token", "create", "shop", "--owner", "shop"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let again = try outbox.run(["api-token", "create", "erp"])
            #expect(again.status != 0 && again.stderr.contains("a token named 'erp' exists"), "\(again.stderr)")
            let list = try outbox.run(["api-token", "list", "--json"])
            let listed = try #require(try list.json() as? [[String: Any]])
            #expect(listed.compactMap { $0["name"] as? String } == ["shop", "erp"])
            #expect(!list.stdout.contains(token))
            let stored = try cluster.sql("SELECT count(*) FROM api_token WHERE token_sha256 LIKE 'obx_%'", database: "outbox")
            #expect(stored == "0", "a token is stored in plain text")

            let a = try APINode(database: url, config: config, log: directory + "/node-a.log")
            defer { a.stop() }
            let b = try APINode(database: url, config: config, log: directory + "/node-b.log")
            defer { b.stop() }

            // Unauthenticated: the JSON error, on either node.
            let refused = try b.call("GET", "/v1/batches/B1", token: nil)
            #expect(refused.status == 401 && (refused.json?["error"] as? [String: Any])?["code"] as? String == "unauthorized", "\(refused.body)")

            // Node A's live stream sees the `enqueued` event node B records.
            let first = try b.call("GET", "/v1/events?limit=1000", token: token).json?["next"] as? String ?? "0"
            let live = try a.stream(token: token, after: nil, count: 1)
            usleep(1_000_000)
            let posted = try b.call("POST", "/v1/batches", token: token, body: Self.batch("B1", count: 2))
            #expect(posted.status == 201, "\(posted.body)")
            #expect(posted.headers["location"] == "/v1/batches/B1")
            let batchID = try #require(posted.json?["batchID"] as? Int)
            let frames = try APINode.frames(live)
            #expect(frames.first?["event"] as? String == "enqueued", "\(frames)\n\(a.log.suffix(2_000))")
            #expect((frames.first?["data"] as? [String: Any])?["batchID"] as? Int == batchID)
            #expect(try b.call("POST", "/v1/batches", token: token, body: Self.batch("B1", count: 2)).json?["duplicateBatch"] as? Bool == true)
            #expect(try b.call("POST", "/v1/batches", token: other, body: Self.batch("B9", count: 1)).status == 403)

            // Lookups on node A: the batch, the message by key and by id; another owner's token sees nothing.
            let summary = try a.call("GET", "/v1/batches/B1", token: token)
            #expect(summary.status == 200 && summary.json?["states"] as? [String: Int] == ["queued": 2], "\(summary.body)")
            let message = try a.call("GET", "/v1/messages?key=B1-1", token: token)
            let id = try #require((message.json?["summary"] as? [String: Any])?["id"] as? Int, "\(message.body)")
            #expect((message.json?["recipients"] as? [[String: Any]])?.first?["address"] as? String == "r1@example.com")
            #expect(try a.call("GET", "/v1/messages/\(id)", token: token).status == 200)
            #expect(try a.call("GET", "/v1/messages/\(id)", token: other).status == 404)
            #expect(try a.call("GET", "/v1/batches/B1", token: other).status == 404)
            #expect(try a.call("GET", "/v1/messages?key=nope", token: token).status == 404)

            // Cancel one on node A, retry the other on node B: it is sent through smtp-sink.
            #expect(try a.call("POST", "/v1/messages/\(id)/cancel", token: token).status == 200)
            let twice = try b.call("POST", "/v1/messages/\(id)/cancel", token: token)
            #expect(twice.status == 409 && (twice.json?["error"] as? [String: Any])?["code"] as? String == "invalidState", "\(twice.body)")
            #expect(try b.call("POST", "/v1/messages/\(id)/retry", token: token).status == 409)
            let second = try #require((try a.call("GET", "/v1/messages?key=B1-2", token: token).json?["summary"] as? [String: Any])?["id"] as? Int)
            #expect(try b.call("POST", "/v1/messages/\(second)/retry", token: token, body: "{\"noExpiry\": true}").status == 200)
            #expect(eventually(within: 120) {
                (try? a.call("GET", "/v1/batches/B1", token: token).json?["states"] as? [String: Int]) == ["cancelled": 1, "sent": 1]
            }, "\(a.log.suffix(2_000))\n\(b.log.suffix(2_000))")

            // Attachments: stored once, named by reference.
            let upload = try a.call("POST", "/v1/attachments", token: token, body: "%PDF-1.4 arve")
            #expect(upload.status == 201 && (upload.json?["contentRef"] as? String)?.hasPrefix("sha256:") == true, "\(upload.body)")
            #expect(try b.call("POST", "/v1/attachments", token: token, body: "%PDF-1.4 arve").status == 200)

            // Pages of the event log, two at a time, in id order, from either node.
            var cursor = first, paged: [[String: Any]] = []
            while true {
                let page = try (paged.count % 4 == 0 ? a : b).call("GET", "/v1/events?after=\(cursor)&limit=2", token: token)
                let events = page.json?["events"] as? [[String: Any]] ?? []
                if events.isEmpty { break }
                #expect(events.count <= 2)
                paged += events
                cursor = page.json?["next"] as? String ?? cursor
            }
            let ids = paged.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            let kinds = paged.compactMap { $0["kind"] as? String }
            for kind in ["enqueued", "cancelled", "retried", "sent"] { #expect(kinds.contains(kind), "\(kinds)") }
            #expect(try a.call("GET", "/v1/events?after=x", token: token).status == 400)

            // The stream resumes after a cursor on the other node too.
            let replay = try APINode.frames(try b.stream(token: token, after: first, count: ids.count))
            #expect(replay.compactMap { ($0["id"] as? String).flatMap(Int.init) } == ids)

            // /metrics and the status page answer on PostgreSQL (only for a token of every owner).
            let metrics = try a.call("GET", "/metrics", token: token)
            #expect(metrics.status == 200 && metrics.body.contains(#"outbox_queue_messages{owner="billing",state="sent"} 1"#), "\(metrics.body.prefix(3_000))")
            #expect(try a.call("GET", "/metrics", token: other).status == 403)
            let page = try b.call("GET", "/", token: token)
            #expect(page.status == 200 && page.body.contains("1 sent · 0 failed · 0 bounced"), "\(page.body.prefix(2_000))")
            #expect(try b.call("GET", "/status/messages/\(id)", token: token).status == 200)

            // Revoked with the CLI: refused by both nodes from the next request on.
            #expect(try outbox.run(["api-token", "revoke", "erp"]).status == 0)
            #expect(try a.call("GET", "/v1/batches/B1", token: token).status == 401)
            #expect(try b.call("GET", "/v1/batches/B1", token: token).status == 401)
            #expect(try outbox.run(["api-token", "revoke", "erp"]).stderr.contains("no live API token named 'erp'"))
        }
        #expect(try sink.recipients() == ["r2@example.com"])
    }

    /// On PostgreSQL an event id is drawn before its transaction commits: an event another
    /// node commits late, below one already visible, still reaches the live stream, in id order.
    @Test func theStreamNeverSkipsAnEventCommittedLate() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let config = try fixture.file("outbox.conf", Array(Self.config.utf8))
        try await onDedicatedThread {
            let token = try OutboxProcess(database: url).run(["api-token", "create", "erp"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let node = try APINode(database: url, config: config, log: directory + "/node.log")
            defer { node.stop() }
            let live = try node.stream(token: token, after: nil, count: 2)
            usleep(1_000_000)
            // Another writer takes an event id and commits it 3 s later.
            let slow = Thread {
                _ = try? cluster.sql("BEGIN; INSERT INTO event (at, kind, detail) VALUES (1, 'purged', 'committed late'); SELECT pg_sleep(3); COMMIT",
                                     database: "outbox")
            }
            slow.start()
            usleep(1_000_000)
            #expect(try node.call("POST", "/v1/batches", token: token, body: Self.batch("B1", count: 1)).status == 201)
            let frames = try APINode.frames(live)
            #expect(frames.compactMap { $0["event"] as? String } == ["purged", "enqueued"], "\(frames)")
            let ids = frames.compactMap { ($0["id"] as? String).flatMap(Int.init) }
            #expect(ids.count == 2 && ids == ids.sorted())
        }
    }

    /// One-click unsubscribe (`POST /u/{token}`) answered by a PostgreSQL node for a letter
    /// enqueued on SQLite and moved over with `outbox store copy`: the same pages and status
    /// codes as on SQLite, the unsubscription and its events in the shared outbox.
    @Test func oneClickUnsubscribeOnPostgres() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let config = try fixture.file("outbox.conf", Array(Self.config.utf8))
        let letter = try fixture.file("letter.json", Array("""
            {"key": "L1", "owner": "billing", "kind": "letter", "subject": "Uudised", "text": "Tere", "notBefore": "2030-01-01T08:00:00+00:00",
             "messages": [{"key": "L1-1", "to": ["Mari@Example.ee"], "cc": ["raamat@example.ee"]}]}
            """.utf8))
        try await onDedicatedThread {
            let sqlite = OutboxProcess(database: directory + "/outbox.db")
            let enqueued = try sqlite.run(["enqueue", letter])
            #expect(enqueued.status == 0, "\(enqueued.stderr)")
            let copied = try sqlite.run(["store", "copy", "--from", directory + "/outbox.db", "--to", url])
            #expect(copied.status == 0, "\(copied.stderr)")
            let token = try cluster.sql("SELECT DISTINCT token FROM unsubscribe_token", database: "outbox")
            #expect(!token.isEmpty && !token.contains("\n"))

            let node = try APINode(database: url, config: config, log: directory + "/node.log")
            defer { node.stop() }
            let page = try node.call("GET", "/u/\(token)", token: nil)
            #expect(page.status == 200 && page.body.contains("<form method=\"post\">") && !page.body.contains("example.ee"))
            #expect(try cluster.sql("SELECT count(*) FROM unsubscription", database: "outbox") == "0")
            #expect(try node.call("POST", "/u/\(token)", token: nil, body: "").status == 400)
            let done = try node.call("POST", "/u/\(token)", token: nil, body: "List-Unsubscribe=One-Click")
            #expect(done.status == 200 && done.body.contains("<h1>Unsubscribed</h1>"), "\(done.body)")
            #expect(try node.call("POST", "/u/\(token)", token: nil, body: "List-Unsubscribe=One-Click").status == 200)
            #expect(try node.call("POST", "/u/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", token: nil, body: "List-Unsubscribe=One-Click").status == 404)
            #expect(try node.call("GET", "/v1/batches/L1", token: nil).status == 401)

            // Only the letter's `to` address, from this owner's letters, with its event; then twice "ignored".
            #expect(try cluster.sql("SELECT owner, address, source, event_id IS NOT NULL FROM unsubscription", database: "outbox")
                    == "billing|mari@example.ee|one-click|t")
            let events = try cluster.sql("SELECT kind, coalesce(recipient, '-'), detail FROM event WHERE kind LIKE 'unsubscribe%' ORDER BY id",
                                         database: "outbox").split(separator: "\n").map(String.init)
            #expect(events.count == 3, "\(events)")
            #expect(events.first?.hasPrefix("unsubscribed|mari@example.ee|mari@example.ee unsubscribed from owner billing's letters by one-click POST") == true)
            #expect(events.dropFirst().first?.contains("already unsubscribed from owner billing's letters on ") == true)
            #expect(events.last?.hasPrefix("unsubscribe-ignored|-|") == true && events.last?.contains("unsubscribe token 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'") == true)
            let listed = try OutboxProcess(database: url).run(["suppressions", "list"])
            #expect(listed.stdout.contains("mari@example.ee"), "\(listed.stdout) \(listed.stderr)")
        }
    }
}

/// `outbox serve` with `[http] listen = 127.0.0.1:0` on a PostgreSQL outbox, its port read
/// from its log, requests made with Tests/Servers/api_client.py (blocking the calling thread).
final class APINode {
    let port: Int
    private let daemon: ServeDaemon

    init(database: String, config: String, log: String) throws {
        let daemon = try ServeDaemon(database: database, arguments: ["--config", config], logPath: log)
        self.daemon = daemon
        var found: Int?
        let marker = "HTTP API listening on 127.0.0.1:"
        _ = eventually(within: 60) {
            let text = daemon.log
            if let range = text.range(of: marker) { found = Int(text[range.upperBound...].prefix { $0.isNumber }) }
            return found != nil
        }
        guard let found else {
            daemon.killIfRunning()
            throw TestServerError(message: "serve did not start its HTTP API: \(daemon.log)")
        }
        port = found
    }

    var log: String { daemon.log }

    func stop() { daemon.stop() }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String
        let json: [String: Any]?
    }

    func call(_ method: String, _ path: String, token: String?, body: String? = nil) throws -> Reply {
        var arguments = ["request", method, String(port), path]
        if let token { arguments += ["--token", token] }
        if let body {
            let file = NSTemporaryDirectory() + "outbox-api-body-" + UUID().uuidString
            try Data(body.utf8).write(to: URL(fileURLWithPath: file))
            defer { try? FileManager.default.removeItem(atPath: file) }
            arguments += ["--body-file", file]
            return Self.reply(try Self.client(arguments))
        }
        return Self.reply(try Self.client(arguments))
    }

    /// A Server-Sent Events client reading `count` events (after `after`, else from now), started now.
    func stream(token: String, after: String?, count: Int) throws -> ChildProcess {
        try ChildProcess("python3", [Self.client, "sse", String(port), "/v1/events/stream", "--token", token, "--count", String(count), "--timeout", "90"]
                         + (after.map { ["--last-event-id", $0] } ?? []))
    }

    /// The frames a ``stream(token:after:count:)`` client read.
    static func frames(_ client: ChildProcess) throws -> [[String: Any]] {
        let output = try client.completionBlocking(within: 120)
        let parsed = try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any]
        return parsed?["events"] as? [[String: Any]] ?? []
    }

    private static func reply(_ output: [String: Any]) -> Reply {
        Reply(status: output["status"] as? Int ?? 0, headers: output["headers"] as? [String: String] ?? [:], body: output["body"] as? String ?? "",
              json: output["json"] as? [String: Any])
    }

    private static func client(_ arguments: [String]) throws -> [String: Any] {
        let completion = try ChildProcess.runBlocking("python3", [client] + arguments)
        guard completion.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(completion.stdout)) as? [String: Any] else {
            throw TestServerError(message: "api_client.py \(arguments.prefix(3)) failed: \(completion.stderrText)")
        }
        return object
    }

    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Servers/api_client.py").path
}
