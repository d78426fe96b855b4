import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// Issue #14's end-to-end checks of limits across nodes: three `outbox serve` processes on
/// one PostgreSQL outbox send to one real SMTP server (aiosmtpd, which logs every connect
/// and disconnect and when each message arrived).
@Suite(.serialized) struct ServeNodesLimitsTests {
    @Test(.timeLimit(.minutes(10))) func threeServeNodesNeverShowAThirdConnectionUnderACapOfTwo() async throws {
        let fixture = try await StoreFixture(.postgres), server = try TestSMTPServer(["--stall-in-data", "0.05"])
        defer { server.stop(); fixture.close() }
        let cluster = try #require(fixture.cluster)
        try setProfile(fixture, owner: "erp", port: server.port)
        try cluster.sql("UPDATE profile SET max_connections = 2 WHERE owner = 'erp'", database: "outbox")
        let nodes = try ServeNodes(fixture, count: 3)
        defer { nodes.kill() }
        #expect(try await nodes.ready(), "\(nodes.logs)")
        // Small batches while the nodes run: every node's workers claim some and want a connection.
        let count = 60
        for first in stride(from: 0, to: count, by: 3) { try await enqueue(fixture, first..<first + 3) }
        let delivered = try await eventuallyAsync(within: 120) { try server.messages().count >= count }
        try await nodes.stop()
        let arrived = try server.messages().count
        #expect(delivered, "\(arrived) of \(count) arrived\n\(nodes.logs)")
        let events = try server.events()
        #expect(Set(events.compactMap(\.rcptTos).joined()).count == count)
        #expect(SharedLimitsDeliveryTests.mostOpenAtOnce(events) == 2, "two connections at once across three nodes, never a third")
        #expect(try await fixture.store.status().totals == ["sent": count])
        #expect(nodes.sentByEachNode().filter { $0 > 0 }.count >= 2, "the nodes shared the work: \(nodes.sentByEachNode())\n\(nodes.logs)")
    }

    @Test(.timeLimit(.minutes(10))) func threeServeNodesSendAtMostSixtyInAnyMinuteUnderAPerMinuteLimitOfSixty() async throws {
        let fixture = try await StoreFixture(.postgres), server = try TestSMTPServer()
        defer { server.stop(); fixture.close() }
        let cluster = try #require(fixture.cluster)
        try setProfile(fixture, owner: "erp", port: server.port)
        try cluster.sql("UPDATE profile SET per_minute = 60 WHERE owner = 'erp'", database: "outbox")
        let nodes = try ServeNodes(fixture, count: 3)
        defer { nodes.kill() }
        #expect(try await nodes.ready(), "\(nodes.logs)")
        // More than a minute's worth: the 61st may only arrive a minute after the first.
        let count = 70
        for first in stride(from: 0, to: count, by: 10) { try await enqueue(fixture, first..<first + 10) }
        let delivered = try await eventuallyAsync(within: 240, every: .seconds(1)) { try server.messages().count >= count }
        try await nodes.stop()
        let arrived = try server.messages().count
        #expect(delivered, "\(arrived) of \(count) arrived\n\(nodes.logs)")
        let times = try server.messages().compactMap(\.at).sorted()
        let mostInAMinute = times.indices.map { start in times[start...].prefix { $0 < times[start] + 60 }.count }.max() ?? 0
        #expect(mostInAMinute <= 60, "\(mostInAMinute) messages arrived within 60 s")
        #expect(mostInAMinute >= 55, "the limit was used, not starved: \(mostInAMinute) in the busiest minute")
        #expect(Set(try server.messages().compactMap(\.rcptTos).joined()).count == count)
    }

    private func enqueue(_ fixture: StoreFixture, _ indices: Range<Int>) async throws {
        let drafts = try indices.map { try draft("r\($0)@example.net", key: "m-\($0)", owner: "erp") }
        _ = try await fixture.store.enqueue(batchKey: nil, source: nil, now: OutboxDatabase.milliseconds(Date()), attachments: fixture.attachmentPolicy,
                                            messages: entries(drafts))
    }
}

/// `outbox serve` processes on the fixture's PostgreSQL outbox, four workers each.
private final class ServeNodes: @unchecked Sendable {
    let daemons: [ServeDaemon]
    private let fixture: StoreFixture

    init(_ fixture: StoreFixture, count: Int) throws {
        self.fixture = fixture
        let cluster = try #require(fixture.cluster)
        let config = try fixture.file("outbox.conf", Array("""
            [delivery]
            workers = 4
            unknown-outcome = resend
            [dkim]
            sign-modes = none
            [log]
            level = info

            """.utf8))
        daemons = try (0..<count).map { node in
            try ServeDaemon(database: cluster.url(database: "outbox"), arguments: ["--config", config], logPath: fixture.directory + "/serve-\(node).log")
        }
    }

    var logs: String { daemons.enumerated().map { "node \($0.offset):\n\($0.element.log)" }.joined(separator: "\n") }

    /// True once every node logged that it serves.
    func ready() async throws -> Bool {
        try await eventuallyAsync(within: 60) { daemons.allSatisfy { $0.log.contains("serving postgres://") } }
    }

    /// The messages each node logged as sent.
    func sentByEachNode() -> [Int] { daemons.map { $0.log.components(separatedBy: "sent").count - 1 } }

    /// SIGTERM and wait, on a thread of its own.
    func stop() async throws { _ = try await onDedicatedThread { [self] in daemons.map { $0.stop() } } }

    func kill() { for daemon in daemons { daemon.killIfRunning() } }
}
