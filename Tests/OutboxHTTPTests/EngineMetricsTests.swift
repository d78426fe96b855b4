import Foundation
import OutboxTestSupport
import Testing

/// The engine's connection pool and group commits on `/metrics`, from a running `serve`
/// relaying to aiosmtpd on loopback that takes six seconds to answer each message's data, so
/// workers meet at a cap of one connection; scraped over HTTP and parsed by
/// `prometheus-client`'s text parser.
@Suite(.timeLimit(.minutes(10))) struct EngineMetricsTests {
    @Test func poolUseAndCommitLatencyAreScraped() async throws {
        let server = try TestSMTPServer(["--stall-in-data", "6"])
        defer { server.stop() }
        do {
            let serve = try APIEventsTests.serving(through: server, config: "[delivery]\nworkers = 4\nconnections-per-profile = 1\n")
            defer { serve.stop() }
            let token = try await serve.token("prometheus")
            let labels = ["server": "127.0.0.1:\(server.port)"]
            // Three batches a moment apart: the first message holds the only connection for
            // six seconds (long enough for the next request to arrive on a loaded machine), so the workers that claim the others wait for it.
            for key in ["W1", "W2", "W3"] {
                #expect(try await serve.call("POST", "/v1/batches", token: token, body: APIEventsTests.batch(key, count: 1)).status == 201)
            }
            // While they are sent: never more in use than the cap, and the waits are counted. The
            // scrapes run on a thread of their own: the connection is in use for about 18 s, which a
            // loop resumed late on a starved pool could miss.
            let port = serve.port
            let (sawInUse, sawWait, seen, violations) = try await onDedicatedThread { () throws -> (Bool, Bool, [String], [String]) in
                var sawInUse = false, sawWait = false
                var seen: [String] = [], violations: [String] = []
                let deadline = Date().addingTimeInterval(90)
                while Date() < deadline, !(sawInUse && sawWait) {
                    let scraped = try APIServe.client(["metrics", String(port), "--token", token])
                    if scraped["status"] as? Int != 200 { violations.append("scrape status \(scraped["status"] ?? "-")") }
                    let families = scraped["families"] as? [String: Any] ?? [:]
                    let open = Self.value(families, "outbox_connections_open", labels: labels)
                    let inUse = Self.value(families, "outbox_connections_in_use", labels: labels)
                    let idle = Self.value(families, "outbox_connections_idle", labels: labels)
                    if let open, let inUse, let idle {
                        if Self.value(families, "outbox_connections_limit", labels: labels) != 1 { violations.append("limit is not 1") }
                        if !(inUse <= 1 && open <= 1 && inUse + idle == open) { violations.append("open \(open), in use \(inUse), idle \(idle)") }
                        sawInUse = sawInUse || inUse == 1
                    }
                    let waits = Self.value(families, "outbox_connection_waits", sample: "outbox_connection_waits_total", labels: labels)
                    seen.append("open \(open ?? -1) in use \(inUse ?? -1) waits \(waits ?? -1)")
                    sawWait = sawWait || (waits ?? 0) >= 1
                    usleep(100_000)
                }
                return (sawInUse, sawWait, seen, violations)
            }
            #expect(violations.isEmpty, "\(violations)")
            #expect(sawInUse, "no scrape saw the connection in use: \(seen)")
            #expect(sawWait, "no wait at the cap was counted: \(serve.log.suffix(1500))")
            for key in ["W1", "W2", "W3"] { try await APIEventsTests.waitUntilSent(serve, batch: key, count: 1, token: token) }

            // Every outcome committed is one latency observation; the batch sizes add up to them.
            let families = try Self.scrape(serve, token: token)
            let latency = try #require(families["outbox_commit_latency_seconds"] as? [String: Any])
            #expect(latency["type"] as? String == "histogram")
            let committed = Self.value(families, "outbox_commit_latency_seconds", sample: "outbox_commit_latency_seconds_count", labels: [:])
            #expect(committed == 3)
            let latencySum = try #require(Self.value(families, "outbox_commit_latency_seconds", sample: "outbox_commit_latency_seconds_sum", labels: [:]))
            #expect(latencySum > 0 && latencySum < 30)
            let buckets = Self.buckets(families, "outbox_commit_latency_seconds")
            #expect(buckets.map(\.count) == buckets.map(\.count).sorted(), "cumulative buckets: \(buckets)")
            #expect(buckets.last?.bound == .infinity && buckets.last?.count == committed)
            let batchOutcomes = Self.value(families, "outbox_commit_batch_outcomes", sample: "outbox_commit_batch_outcomes_sum", labels: [:])
            let transactions = try #require(Self.value(families, "outbox_commit_batch_outcomes", sample: "outbox_commit_batch_outcomes_count", labels: [:]))
            #expect(batchOutcomes == committed)
            #expect(transactions >= 1 && transactions <= 3)
            let waits = try #require(Self.value(families, "outbox_connection_waits", sample: "outbox_connection_waits_total", labels: labels))
            let waited = try #require(Self.value(families, "outbox_connection_wait_seconds", sample: "outbox_connection_wait_seconds_total", labels: labels))
            #expect(waits >= 1 && waited > 0)
            #expect((families["outbox_connection_waits"] as? [String: Any])?["type"] as? String == "counter")
            #expect((families["outbox_connections_in_use"] as? [String: Any])?["type"] as? String == "gauge")
            #expect(Self.value(families, "outbox_connections_in_use", labels: labels) == 0)
            // The account's login name never appears in a label.
            let text = try await serve.call("GET", "/metrics", token: token).body
            #expect(!text.contains("user=") && !text.contains("account="))
        }
    }

    static func scrape(_ serve: APIServe, token: String) throws -> [String: Any] {
        let scraped = try APIServe.client(["metrics", String(serve.port), "--token", token])
        #expect(scraped["status"] as? Int == 200)
        return scraped["families"] as? [String: Any] ?? [:]
    }

    static func value(_ families: [String: Any], _ family: String, sample: String? = nil, labels: [String: String]) -> Double? {
        APIEventsTests.value(families, family, sample: sample ?? family, labels: labels)
    }

    /// A histogram's `_bucket` samples as (upper bound, cumulative count), in order.
    static func buckets(_ families: [String: Any], _ family: String) -> [(bound: Double, count: Double)] {
        let samples = (families[family] as? [String: Any])?["samples"] as? [[Any]] ?? []
        return samples.compactMap { sample in
            guard sample[0] as? String == family + "_bucket", let le = (sample[1] as? [String: String])?["le"], let count = sample[2] as? Double else { return nil }
            return (le == "+Inf" ? .infinity : Double(le) ?? .nan, count)
        }
    }
}
