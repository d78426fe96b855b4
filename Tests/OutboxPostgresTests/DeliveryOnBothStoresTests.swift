import Foundation
import OutboxCore
import OutboxDaemon
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// The delivery engine on both stores behind ``DeliveryStore``, against aiosmtpd on loopback:
/// the same messages get the same outcomes, retries and lease takeovers on SQLite and on PostgreSQL.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DeliveryOnBothStoresTests {
    @Test(arguments: StoreKind.allCases) func deliversRetriesAFourHundredAndFailsAFiveHundred(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.close() }
        let server = try TestSMTPServer(["--rcpt-reply", "busy@example.com=451 4.3.0 Try again later", "--rcpt-reply", "gone@example.com=550 5.1.1 No such user"])
        defer { server.stop() }
        try setProfile(fixture, port: server.port)
        let start = OutboxDatabase.milliseconds(Date())
        _ = try await fixture.store.enqueue(batchKey: nil, source: nil, now: start, attachments: fixture.attachmentPolicy, messages: entries([
            try draft("ok@example.com", key: "ok"), try draft("busy@example.com", key: "busy"), try draft("gone@example.com", key: "gone"),
        ]))
        let store = try await deliveryStore(fixture), port = server.port
        let summary = try await onDedicatedThread { DeliveryEngine(store: store, configuration: relayConfiguration(port: port)).drain() }
        #expect((summary.sent, summary.deferred, summary.failed) == (1, 1, 1))
        #expect(try server.messages().count == 1)
        let byRecipient = Dictionary(uniqueKeysWithValues: try await fixture.store.messages(MessageFilter()).map { ($0.firstRecipient ?? "", $0) })
        #expect(byRecipient["ok@example.com"]?.state == "sent")
        #expect(byRecipient["gone@example.com"]?.state == "failed")
        let busy = try #require(byRecipient["busy@example.com"])
        #expect(busy.state == "deferred" && busy.attempts == 1)
        // Backoff: the retry is due after the first delay (1 h, no jitter), not at once.
        #expect(busy.nextAttemptAt >= start + 3_599_000 && busy.nextAttemptAt <= OutboxDatabase.milliseconds(Date()) + 3_601_000)
        // Nothing is due now: a second run sends nothing and defers nothing again (the delay is an
        // hour so that a test resumed late on a starved pool cannot reach it).
        #expect(try await onDedicatedThread { DeliveryEngine(store: store, configuration: relayConfiguration(port: port)).drain() }.sent == 0)
        #expect(try await fixture.store.events(EventFilter(kind: "deferred")).count == 1)
    }

    /// A node died holding leases: on SQLite (one host) the next start reclaims them from
    /// the dead process at once; on PostgreSQL a running node takes them over when they expire.
    @Test(arguments: StoreKind.allCases) func leasesOfADeadNodeAreTakenOver(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        defer { fixture.close() }
        let server = try TestSMTPServer()
        defer { server.stop() }
        try setProfile(fixture, port: server.port)
        let now = OutboxDatabase.milliseconds(Date())
        _ = try await fixture.store.enqueue(batchKey: nil, source: nil, now: now, attachments: fixture.attachmentPolicy,
                                            messages: entries(try (0..<5).map { try draft("r\($0)@example.com") }))
        let store = try await deliveryStore(fixture)
        var configuration = relayConfiguration(port: server.port)
        configuration.leaseDuration = .seconds(10)
        let engine = DeliveryEngine(store: store, configuration: configuration)
        // SQLite: a process of this host that is gone. PostgreSQL: a node elsewhere whose lease runs
        // out 20 s after the claim (a starved pool can delay the bridge's queries by seconds).
        let dead = kind == .sqlite ? "\(ProcessInfo.processInfo.hostName):\(Int32.max - 7):x" : "elsewhere:4242:x"
        let (claimed, recovered) = try await onDedicatedThread {
            let claimedAt = OutboxDatabase.milliseconds(Date())
            let claimed = try store.claimBatch(leaseOwner: dead, limit: 10, now: claimedAt, dueBy: claimedAt, leaseUntil: claimedAt + (kind == .sqlite ? 300_000 : 20_000))
            return (claimed.messages.count, try engine.recover())
        }
        #expect(claimed == 5)
        #expect(recovered == (kind == .sqlite ? 5 : 0), "a lease of a live node elsewhere is not taken before it expires")
        try await onDedicatedThread { try engine.start() }
        let sent = try await eventuallyAsync(within: 120) { try await fixture.store.status().totals["sent", default: 0] == 5 }
        let summary = try await onDedicatedThread { engine.stop() }
        #expect(sent && summary.sent == 5)
        #expect(try await fixture.store.events(EventFilter(kind: "retried")).count == 5)
        #expect(try server.messages().count == 5)
    }

    /// An enqueue on another node wakes an idle engine through `LISTEN/NOTIFY`, well before
    /// its idle recheck (30 s here): ≤ 200 ms from the enqueue's commit to the claim.
    @Test func enqueueOnAnotherNodeWakesAnIdleEngine() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let server = try TestSMTPServer()
        defer { server.stop() }
        try setProfile(fixture, port: server.port)
        let other = try await fixture.secondNode()
        defer { other.close() }
        let store = try await deliveryStore(fixture)
        var configuration = relayConfiguration(port: server.port)
        configuration.idleRecheck = .seconds(30)
        let engine = DeliveryEngine(store: store, configuration: configuration)
        try await onDedicatedThread { try engine.start() }
        try await Task.sleep(for: .milliseconds(500))  // the workers are idle and listening
        var latencies: [Double] = []
        for round in 0..<5 {
            let enqueued = try await other.enqueue(batchKey: nil, source: nil, now: OutboxDatabase.milliseconds(Date()), attachments: fixture.attachmentPolicy,
                                                   messages: entries([try draft("w\(round)@example.com")]))
            let committed = Date()
            let claimed = try await eventuallyAsync(within: 10, every: .milliseconds(5)) {
                try await other.messages(MessageFilter(batchID: enqueued.batchID)).first?.state != "queued"
            }
            #expect(claimed)
            latencies.append(Date().timeIntervalSince(committed) * 1000)
            try await Task.sleep(for: .milliseconds(300))
        }
        _ = try await onDedicatedThread { engine.stop() }
        let median = latencies.sorted()[latencies.count / 2]
        #expect(median <= 200, "enqueue to claim (ms): \(latencies.map { Int($0) })")
        #expect(try await other.status().totals["sent", default: 0] == 5)
    }

    /// A hold placed by one node stops every node from claiming the owner's messages.
    @Test func holdWrittenByOneNodeIsSeenByAll() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let nodeA = try await deliveryStore(fixture), nodeB = try PostgresDeliveryStore(try await fixture.secondNode())
        defer { try? nodeB.close() }
        let now = OutboxDatabase.milliseconds(Date())
        _ = try await fixture.store.enqueue(batchKey: nil, source: nil, now: now, attachments: fixture.attachmentPolicy,
                                            messages: entries([try draft("a@example.com", owner: "acme"), try draft("b@example.com", owner: "acme"),
                                                               try draft("c@example.com", owner: "globex")]))
        let (held, claimedByB, liftedOwners, afterLift) = try await onDedicatedThread {
            let first = try nodeA.claimBatch(leaseOwner: "node-a", limit: 1, now: now, dueBy: now, leaseUntil: now + 60_000)
            let message = try #require(first.messages.first)
            let held = try nodeA.hold(owner: "acme", messageID: message.id, leaseOwner: "node-a", until: now + 600_000,
                                      reason: "configuration: no relay", code: nil, enhancedCode: nil, now: now)
            let claimedByB = try nodeB.claimBatch(leaseOwner: "node-b", limit: 10, now: now, dueBy: now, leaseUntil: now + 60_000).messages.map(\.owner)
            let lifted = try nodeB.liftConfigurationHolds()
            let afterLift = try nodeB.claimBatch(leaseOwner: "node-b", limit: 10, now: now, dueBy: now, leaseUntil: now + 60_000).messages.map(\.owner)
            return (held, claimedByB, lifted, afterLift)
        }
        #expect(held)
        #expect(claimedByB == ["globex"], "node B claims nothing of the held owner")
        #expect(liftedOwners == ["acme"] && afterLift == ["acme", "acme"])
        #expect(try await fixture.store.events(EventFilter(kind: "profile-held")).count == 1)
    }
}

/// Gives `owner` an `smtp` profile to the server on `port` (plain SMTP) with a From address:
/// on SQLite as `outbox profile set` does, on PostgreSQL as a row (profile writes on
/// PostgreSQL are not behind the seam yet).
func setProfile(_ fixture: StoreFixture, owner: String = "alice", port: Int) throws {
    if let cluster = fixture.cluster {
        try cluster.sql("""
            INSERT INTO profile (owner, mode, host, port, tls, from_address, updated_at)
            VALUES ('\(owner)', 'smtp', '127.0.0.1', \(port), 'none', '\(owner)@firma.example', 1)
            """, database: "outbox")
        return
    }
    var fields = ProfileFields()
    fields.mode = .smtp
    fields.host = "127.0.0.1"
    fields.port = port
    fields.tls = TLSMode.none
    fields.fromAddress = "\(owner)@firma.example"
    try #require(fixture.store as? OutboxDatabase).saveProfile(owner: owner, fields: fields, secretCredential: nil, clear: [], now: 1)
}

/// The fixture's store as the engine's ``DeliveryStore``.
func deliveryStore(_ fixture: StoreFixture) async throws -> any DeliveryStore {
    if let postgres = fixture.postgres {
        return try await onDedicatedThread { try PostgresDeliveryStore(postgres) }
    }
    return try #require(fixture.store as? OutboxDatabase)
}

/// Delivery settings for loopback servers: without DKIM, retries after 60 s.
func relayConfiguration(port: Int) -> DeliveryConfiguration {
    var configuration = DeliveryConfiguration()
    configuration.workers = 2
    configuration.dkim.signModes = []
    configuration.unknownOutcome.fallback = .resend
    configuration.retry = RetryPolicy(firstDelay: .seconds(3600), maxDelay: .seconds(3600), jitter: 0, giveUpAfter: .seconds(86_400))
    configuration.connectTimeout = .seconds(5)
    configuration.replyTimeout = .seconds(15)
    configuration.totalTimeout = .seconds(20)
    configuration.idleRecheck = .milliseconds(300)
    configuration.messageIDDomain = "outbox.test"
    return configuration
}

/// Looks at `condition` every `interval` until it holds or `seconds` pass.
func eventuallyAsync(within seconds: Double, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    } while Date() < deadline
    return try await condition()
}
