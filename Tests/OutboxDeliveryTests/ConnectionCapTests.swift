import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore
import Testing

/// The per-profile connection cap: however many workers, no more connections to one
/// account (server and login) than the profile's `max-connections`, or the daemon's
/// `connections-per-profile`, are open at once. The server answers each DATA after 50 ms,
/// so idle workers would open connections of their own if nothing held them back.
@Suite(.serialized) struct ConnectionCapTests {
    private static func configuration(cap: Int) -> DeliveryConfiguration {
        var configuration = OutboxFixture.configuration(workers: 4)
        configuration.batchSize = 1  // every worker gets messages
        configuration.connectionsPerProfile = cap
        return configuration
    }

    @Test func fourWorkersOpenNoMoreThanTheDaemonsCap() throws {
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--stall-in-data", "0.05"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        try fixture.enqueue(16, owner: "alice")
        let summary = DeliveryEngine(database: fixture.outbox, configuration: Self.configuration(cap: 2)).drain()
        #expect(summary.sent == 16)
        #expect(try server.messages().count == 16)
        #expect(try server.mostConcurrentConnections() == 2, "two connections in parallel, never a third")
        #expect(try fixture.states() == ["sent": 16])
    }

    @Test func aProfilesMaxConnectionsWinsOverTheDaemonsDefault() throws {
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--stall-in-data", "0.05"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port, maxConnections: 1)
        try fixture.enqueue(8, owner: "alice")
        let summary = DeliveryEngine(database: fixture.outbox, configuration: Self.configuration(cap: 4)).drain()
        #expect(summary.sent == 8)
        #expect(try server.mostConcurrentConnections() == 1)
        #expect(try server.events().filter { $0.event == "connect" }.count == 1, "the one connection is shared by the workers in turn")
    }

    @Test func ownersOfOneAccountShareItsCap() throws {
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--stall-in-data", "0.05"])
        defer { server.stop(); fixture.cleanUp() }
        // Same server, same (no) login: one account as the server sees it.
        try fixture.setProfile("alice", port: server.port)
        try fixture.setProfile("bob", port: server.port)
        try fixture.enqueue(6, owner: "alice")
        try fixture.enqueue(6, owner: "bob")
        let summary = DeliveryEngine(database: fixture.outbox, configuration: Self.configuration(cap: 1)).drain()
        #expect(summary.sent == 12)
        #expect(try server.mostConcurrentConnections() == 1)
        #expect(try fixture.states() == ["sent": 12])
    }

    @Test func withoutACapBelowTheWorkersTheWorkersSendInParallel() throws {
        let fixture = try OutboxFixture(), server = try SMTPTestServer(["--stall-in-data", "0.05"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: server.port)
        try fixture.enqueue(16, owner: "alice")
        let summary = DeliveryEngine(database: fixture.outbox, configuration: Self.configuration(cap: 4)).drain()
        #expect(summary.sent == 16)
        let most = try server.mostConcurrentConnections()
        #expect(most > 1 && most <= 4, "got \(most)")
    }
}
