import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import PostgresNIO
import Testing

/// What several nodes sharing one PostgreSQL outbox rely on, against a real server.
@Suite(.serialized) struct PostgresNodesTests {
    @Test func twoClaimersNeverClaimTheSameMessage() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let nodeA = try #require(fixture.postgres), nodeB = try await fixture.secondNode()
        defer { nodeB.close() }
        let drafts = try (0..<400).map { try draft("r\($0)@example.com", key: "k-\($0)", owner: "owner-\($0 % 5)", priority: $0 % 3) }
        _ = try await nodeA.enqueue(batchKey: "big", source: nil, now: 1_000, attachments: fixture.attachmentPolicy, messages: entries(drafts))

        // Both nodes claim small batches as fast as they can until the queue is empty.
        func drain(_ node: PostgresStore, owner: String) async throws -> [Int64] {
            var ids: [Int64] = []
            while true {
                let batch = try await node.claimBatch(leaseOwner: owner, limit: 7, now: 2_000, dueBy: 2_000, leaseUntil: 60_000)
                if batch.messages.isEmpty { return ids }
                ids += batch.messages.map(\.id)
            }
        }
        async let a = drain(nodeA, owner: "node-a")
        async let b = drain(nodeB, owner: "node-b")
        let (claimedA, claimedB) = try await (a, b)
        #expect(Set(claimedA).isDisjoint(with: claimedB))
        #expect(claimedA.count + claimedB.count == 400)
        #expect(Set(claimedA + claimedB).count == 400)
        #expect(!claimedA.isEmpty && !claimedB.isEmpty, "both nodes took part (a: \(claimedA.count), b: \(claimedB.count))")
        #expect(try await nodeA.status().totals == ["sending": 400])
        #expect(try await nodeB.status().counts.map(\.count) == [80, 80, 80, 80, 80])
    }

    @Test func batchEnqueuedTwiceAtOnceIsWrittenOnce() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let nodeA = try #require(fixture.postgres), nodeB = try await fixture.secondNode()
        defer { nodeB.close() }
        let batch = entries(try (0..<50).map { try draft("r\($0)@example.com", key: "m-\($0)") })
        let policy = fixture.attachmentPolicy
        async let first = nodeA.enqueue(batchKey: "same", source: nil, now: 1_000, attachments: policy, messages: batch)
        async let second = nodeB.enqueue(batchKey: "same", source: nil, now: 1_000, attachments: policy, messages: batch)
        let results = try await [first, second]
        #expect(results.filter(\.duplicateBatch).count == 1)
        #expect(Set(results.map(\.batchID)).count == 1 && results.allSatisfy { $0.enqueued == 50 })
        #expect(try await nodeA.status().totals == ["queued": 50])
        #expect(try await nodeA.events(EventFilter(kind: "enqueued")).count == 1)
    }

    @Test func twoNodesStartingAtOnceMigrateOnce() async throws {
        let cluster = try await PostgresCluster.start()
        defer { cluster.stop() }
        try cluster.createDatabase("fresh")
        let location = try PostgresLocation(cluster.url(database: "fresh"))
        async let a = PostgresStore.open(location, environment: [:])
        async let b = PostgresStore.open(location, environment: [:])
        let (nodeA, nodeB) = try await (a, b)
        defer { nodeA.close(); nodeB.close() }
        #expect(try cluster.sql("SELECT name FROM outbox_migration ORDER BY name", database: "fresh") == "v17-baseline\nv18-message-schedule\nv22-owner-pause\nv23-sqlite-parity\nv24-send-limits\nv26-status-page-index")
        // A schema step from a newer binary is refused, not ignored.
        try cluster.sql("INSERT INTO outbox_migration (name) VALUES ('v99-future')", database: "fresh")
        await #expect(throws: StoreError.self) { try await PostgresStore.open(location, environment: [:]) }
    }

    @Test func enqueueWakesListeningNodes() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let nodeA = try #require(fixture.postgres), nodeB = try await fixture.secondNode()
        defer { nodeB.close() }
        let (payload, batchID, committed, received) = try await nodeB.withEnqueueNotifications { notifications in
            let policy = fixture.attachmentPolicy
            let enqueue = Task {
                let result = try await nodeA.enqueue(batchKey: nil, source: nil, now: 1_000, attachments: policy, messages: entries([try draft("a@example.com")]))
                return (result.batchID, Date())
            }
            var iterator = notifications.makeAsyncIterator()
            let note = try await iterator.next()
            let received = Date()
            let (batchID, committed) = try await enqueue.value
            return (note?.payload, batchID, committed, received)
        }
        #expect(payload == String(batchID))
        // From the commit (as its own task saw it) to the notification (as this task saw it): both
        // resume on the same pool, so a late pool delays both ends, not the difference.
        #expect(received.timeIntervalSince(committed) < 5)
    }

    @Test func locationSettingIsCheckedAndPasswordNeverInTheURL() throws {
        let location = try PostgresLocation("postgres://outbox@db.example:6432/mail?sslmode=verify-full")
        #expect(location.description == "postgres://outbox@db.example:6432/mail" && location.tlsMode == .verifyFull)
        #expect(try PostgresLocation("postgresql://outbox@db.example/mail").port == 5432)
        #expect(throws: StoreError.self) { try PostgresLocation("postgres://outbox:hunter2@db.example/mail") }
        #expect(throws: StoreError.self) { try PostgresLocation("postgres://outbox@db.example/mail?sslmode=sometimes") }
        #expect(throws: StoreError.self) { try PostgresLocation("postgres://db.example/mail") }
        do { _ = try PostgresLocation("postgres://outbox:hunter2@db.example/mail") } catch { #expect(!"\(error)".contains("hunter2")) }

        let directory = NSTemporaryDirectory() + "outbox-pgpass-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let passFile = directory + "/pgpass"
        try "# comment\nother:5432:mail:outbox:wrong\ndb.example:6432:*:outbox:pa\\:ss\n".write(toFile: passFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passFile)
        #expect(try location.password(environment: ["PGPASSFILE": passFile]) == "pa:ss")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passFile)
        #expect(throws: StoreError.self) { try location.password(environment: ["PGPASSFILE": passFile]) }
        try "from-credential\n".write(toFile: directory + "/" + PostgresLocation.passwordCredential, atomically: true, encoding: .utf8)
        #expect(try location.password(environment: ["CREDENTIALS_DIRECTORY": directory]) == "from-credential")
    }
}
