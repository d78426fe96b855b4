import Foundation
import OutboxCore
import OutboxDaemon
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// Back-off that listens, across the nodes of one PostgreSQL outbox: a "too fast" reply one
/// node gets slows the profile on every node (the pace is stored, with its `paced` event,
/// and each node reads it again), and `status` shows it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct SharedSendPaceTests {
    @Test func aSlowdownOneNodeMetHoldsOnTheOtherNode() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let gmail = "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address."
        let server = try TestSMTPServer(["--data-reply", gmail, "--data-reply-count", "1"])
        defer { server.stop() }
        try setProfile(fixture, port: server.port)
        let nodeA = try await deliveryStore(fixture), nodeB = try PostgresDeliveryStore(try await fixture.secondNode())
        defer { try? nodeB.close() }
        let configuration = {
            var configuration = relayConfiguration(port: server.port)
            configuration.workers = 1
            configuration.pace.pause = .seconds(3600)  // the slowdown outlasts the test: no verdict depends on timing
            return configuration
        }()
        let now = OutboxDatabase.milliseconds(Date())
        _ = try await fixture.store.enqueue(batchKey: nil, source: nil, now: now, attachments: fixture.attachmentPolicy,
                                            messages: entries([try draft("first@example.com")]))
        let first = try await onDedicatedThread { DeliveryEngine(store: nodeA, configuration: configuration).drain() }
        #expect(first.deferred == 1 && first.sent == 0)
        let paces = try await fixture.postgres!.sendPaces()
        #expect(paces.count == 1 && paces.first?.owner == "alice" && paces.first?.level == 1, "\(paces)")
        #expect(paces.first?.reason.hasPrefix("gmail-4.7.28: 421 4.7.28") == true, "\(paces)")

        // Node B never saw the reply; it holds alice's next messages all the same.
        _ = try await fixture.store.enqueue(batchKey: nil, source: nil, now: OutboxDatabase.milliseconds(Date()), attachments: fixture.attachmentPolicy,
                                            messages: entries([try draft("second@example.com"), try draft("third@example.com")]))
        let second = try await onDedicatedThread { DeliveryEngine(store: nodeB, configuration: configuration).drain() }
        #expect(second.sent == 0 && second.rateLimited >= 1, "\(second)")
        let arrived = try server.messages()
        #expect(arrived.count == 1 && arrived.first?.outcome == "replied", "only the refused first message reached the server")
        let paced = try await fixture.store.events(EventFilter(kind: "paced"))
        #expect(paced.count == 1 && paced.first?.detail?.hasPrefix("slowed: Gmail says unusual rate of unsolicited mail") == true, "\(paced)")
        #expect(try await fixture.store.status().totals["sent", default: 0] == 0)
    }
}
