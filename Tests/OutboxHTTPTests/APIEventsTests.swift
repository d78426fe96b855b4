import Foundation
import OutboxTestSupport
import Testing

/// Events, the live stream and the metrics of mail really sent: `outbox serve` relays to
/// aiosmtpd on loopback, and the API is read by Python's http.client and Prometheus's own
/// text parser.
@Suite(.timeLimit(.minutes(10))) struct APIEventsTests {
    static func batch(_ key: String, count: Int) -> String {
        let messages = (1...count).map { #"{"key": "\#(key)-\#($0)", "to": ["r\#($0)@example.com"]}"# }.joined(separator: ",\n")
        return #"{"key": "\#(key)", "owner": "billing", "subject": "Arve", "text": "Tere", "messages": [\#n\#(messages)]}"#
    }

    /// Serve relaying to `server`, the billing profile set up as system mail (signed).
    static func serving(through server: TestSMTPServer, config: String = "") throws -> APIServe {
        try APIServe(config: "[relay]\nhost = 127.0.0.1\nport = \(server.port)\ntls = none\n" + config) { workspace in
            let database = workspace.directory + "/outbox.db"
            _ = try workspace.outbox.run(["profile", "set", "billing", "--db", database, "--mode", "system", "--from", "billing@firma.example"])
            _ = try workspace.outbox.run(["dkim", "keygen", "--db", database, "--domain", "firma.example", "--selector", "s1", "--algorithm", "ed25519"])
        }
    }

    static func waitUntilSent(_ serve: APIServe, batch key: String, count: Int, token: String) async throws {
        // The last look comes after the deadline: a loop resumed late on a starved pool still sees the outcome.
        let deadline = Date().addingTimeInterval(120)
        while true {
            let late = Date() >= deadline
            let states = try await serve.call("GET", "/v1/batches/\(key)", token: token).json?["states"] as? [String: Int]
            if states?["sent"] == count { return }
            if late { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("batch \(key) was not sent: \(serve.log.suffix(2000))")
    }

    @Test func eventsArePagedAndTheStreamResumesAfterLastEventID() async throws {
        try await withTestSMTPServer { server in
            let serve = try Self.serving(through: server)
            defer { serve.stop() }
            let token = try await serve.token("erp")
            #expect(try await serve.call("POST", "/v1/batches", token: token, body: Self.batch("B1", count: 3)).status == 201)
            try await Self.waitUntilSent(serve, batch: "B1", count: 3, token: token)
            #expect(try server.messages().count == 3)

            // Pages: all events, two at a time, by the cursor each page gives.
            var cursor = "0"
            var paged: [[String: Any]] = []
            while true {
                let page = try await serve.call("GET", "/v1/events?after=\(cursor)&limit=2", token: token)
                let events = page.json?["events"] as? [[String: Any]] ?? []
                if events.isEmpty { break }
                #expect(events.count <= 2)
                paged += events
                cursor = page.json?["next"] as? String ?? cursor
            }
            let ids = paged.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)
            #expect(paged.filter { $0["kind"] as? String == "sent" }.count == 3)
            #expect(try await serve.call("GET", "/v1/events?after=x", token: token).status == 400)
            #expect(try await serve.call("GET", "/v1/events?limit=0", token: token).status == 400)

            // Resuming after the first event replays the rest, in order, then goes live.
            let first = try #require(ids.first)
            let replay = try await APIServe.client(["sse", String(serve.port), "/v1/events/stream", "--token", token,
                                              "--last-event-id", String(first), "--count", String(ids.count - 1)])
            #expect(replay["status"] as? Int == 200)
            let replayed = (replay["events"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? String).flatMap(Int.init) }
            #expect(replayed == Array(ids.dropFirst()))

            // Live: a stream opened after the last event sees the next batch's events as they happen.
            let live = try ChildProcess("python3", [APIServe.serversDirectory + "/api_client.py", "sse", String(serve.port), "/v1/events/stream",
                                                    "--token", token, "--last-event-id", String(ids.last!), "--count", "3", "--timeout", "600"])
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await serve.call("POST", "/v1/batches", token: token, body: Self.batch("B2", count: 2)).status == 201)
            let data = Data(try await live.completion(within: 660).stdout)
            let stream = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let frames = stream["events"] as? [[String: Any]] ?? []
            #expect(frames.count == 3, "\(stream)")
            #expect(frames.first?["event"] as? String == "enqueued", "\(stream)")
            #expect(frames.allSatisfy { ($0["id"] as? String).flatMap(Int.init).map { $0 > ids.last! } ?? false })
            #expect((frames.first?["data"] as? [String: Any])?["kind"] as? String == "enqueued")
        }
    }

    @Test func metricsAreReadByPrometheusTextParser() async throws {
        try await withTestSMTPServer { server in
            let serve = try Self.serving(through: server)
            defer { serve.stop() }
            let token = try await serve.token("prometheus")
            #expect(try await serve.call("POST", "/v1/batches", token: token, body: Self.batch("M1", count: 4)).status == 201)
            try await Self.waitUntilSent(serve, batch: "M1", count: 4, token: token)
            // The feed counts events within a few of its ticks.
            var families: [String: Any] = [:]
            let deadline = Date().addingTimeInterval(60)
            while true {
                let late = Date() >= deadline  // a scrape after the deadline is the last (a late resume still scrapes once more)
                let scraped = try await APIServe.client(["metrics", String(serve.port), "--token", token])
                #expect(scraped["status"] as? Int == 200)
                families = scraped["families"] as? [String: Any] ?? [:]
                if late || Self.value(families, "outbox_messages_sent", sample: "outbox_messages_sent_total", labels: ["owner": "billing"]) == 4 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(Self.value(families, "outbox_messages_sent", sample: "outbox_messages_sent_total", labels: ["owner": "billing"]) == 4)
            #expect(Self.value(families, "outbox_queue_messages", sample: "outbox_queue_messages", labels: ["owner": "billing", "state": "sent"]) == 4)
            #expect(Self.value(families, "outbox_delivery_latency_seconds", sample: "outbox_delivery_latency_seconds_count", labels: [:]) == 4)
            #expect((families["outbox_delivery_latency_seconds"] as? [String: Any])?["type"] as? String == "histogram")
            #expect((families["outbox_rate_limit_waits"] as? [String: Any])?["type"] as? String == "counter")
            #expect(try await serve.call("GET", "/metrics", token: nil).status == 401)
        }
    }

    static func value(_ families: [String: Any], _ family: String, sample: String, labels: [String: String]) -> Double? {
        let samples = (families[family] as? [String: Any])?["samples"] as? [[Any]] ?? []
        return samples.first { ($0[0] as? String) == sample && ($0[1] as? [String: String]) == labels }?[2] as? Double
    }

    @Test func theOpenAPIDocumentIsValidOpenAPI31() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let result = try APIServe.client(["openapi", String(serve.port)])
        #expect(result["valid"] as? Bool == true, "\(result)")
        #expect(result["version"] as? String == "3.1.0")
    }

    @Test func aListenerThatCannotStartStopsServeWithAClearError() throws {
        let serve = try APIServe()
        defer { serve.stop() }
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let busy = try workspace.write("busy.conf", "[http]\nlisten = 127.0.0.1:\(serve.port)\n")
        let taken = try workspace.outbox.run(["serve", "--config", busy])
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("cannot listen on 127.0.0.1:\(serve.port)") && taken.stderr.contains("already in use"), "\(taken.stderr)")
        let open = try workspace.write("open.conf", "[http]\nlisten = 0.0.0.0:8025\n")
        let refused = try workspace.outbox.run(["serve", "--config", open])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not a loopback address"), "\(refused.stderr)")
    }
}
