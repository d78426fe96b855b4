import Foundation
import OutboxTestSupport
import Testing

/// The HTTP API of a `serve` node while its PostgreSQL server is down: every route that
/// needs the outbox answers 503 with `Retry-After` and a JSON error that names no host or
/// user, nothing is written, and the node answers again once the server is back.
@Suite(.serialized, .timeLimit(.minutes(10))) struct APIOutageOnPostgresTests {
    @Test func aStoppedServerAnswers503WithRetryAfterUntilItIsBack() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        let config = try fixture.file("outbox.conf", Array(APIOnPostgresTests.config.utf8))
        try await onDedicatedThread {
            let token = try OutboxProcess(database: url).run(["api-token", "create", "erp"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let node = try APINode(database: url, config: config, log: directory + "/node.log")
            defer { node.stop() }
            #expect(try node.call("POST", "/v1/batches", token: token, body: APIOnPostgresTests.batch("B1", count: 1)).status == 201)

            try cluster.stopServer()
            let routes: [(method: String, path: String, body: String?)] = [
                ("GET", "/v1/batches/B1", nil), ("GET", "/v1/messages?key=B1-1", nil), ("POST", "/v1/batches", APIOnPostgresTests.batch("B2", count: 1)),
                ("POST", "/v1/attachments", "%PDF-1.4 arve"), ("GET", "/v1/events?limit=10", nil), ("GET", "/metrics", nil), ("GET", "/", nil),
            ]
            for route in routes {
                let reply = try node.call(route.method, route.path, token: token, body: route.body)
                let error = reply.json?["error"] as? [String: Any]
                #expect(reply.status == 503, "\(route.method) \(route.path): \(reply.status) \(reply.body)")
                #expect(reply.headers["retry-after"] == "30", "\(route.path): \(reply.headers)")
                #expect(error?["code"] as? String == "databaseUnreachable", "\(route.path): \(reply.body)")
                #expect(error?["message"] as? String == "the outbox database cannot be reached; try again later", "\(reply.body)")
                for secret in ["127.0.0.1", String(cluster.port), "\(cluster.user)@", "postgres://"] {
                    #expect(!reply.body.contains(secret), "\(route.path) names \(secret): \(reply.body)")
                }
            }
            // A token is checked against the outbox too: even a wrong one gets the 503, not a 401 it cannot know.
            #expect(try node.call("GET", "/v1/batches/B1", token: "obx_unknown").status == 503)
            // What needs no store still answers.
            #expect(try node.call("GET", "/v1/openapi.json", token: nil).status == 200)
            #expect(node.log.contains("cannot reach the PostgreSQL outbox at 127.0.0.1:\(cluster.port)"), "\(node.log.suffix(3_000))")

            try cluster.restartServer()
            #expect(eventually(within: 180) { (try? node.call("GET", "/v1/batches/B1", token: token).status) == 200 },
                    "\(node.log.suffix(3_000))")
            // The batch posted during the outage was not written; posted again, it is.
            #expect(try node.call("GET", "/v1/batches/B2", token: token).status == 404)
            #expect(try node.call("POST", "/v1/batches", token: token, body: APIOnPostgresTests.batch("B2", count: 1)).status == 201)
        }
    }
}
