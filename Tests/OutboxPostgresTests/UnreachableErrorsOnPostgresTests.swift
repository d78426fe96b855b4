import Foundation
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// What the PostgreSQL store calls "unreachable" (the HTTP API's 503 `databaseUnreachable`),
/// from real failures of a private cluster: a connection the server ends mid-query, a pool
/// whose connects keep failing until its circuit breaker opens, and the probe while the
/// server is down and after it is back.
@Suite(.serialized, .timeLimit(.minutes(10))) struct UnreachableErrorsOnPostgresTests {
    @Test func aConnectionTheServerEndsMidQueryIsUnreachable() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster), store = try #require(fixture.postgres)
        // A writer holds the event table, so the store's read waits on the server until its backend is ended.
        let holder = Thread { _ = try? cluster.sql("BEGIN; LOCK TABLE event IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT", database: "outbox") }
        holder.start()
        #expect(await eventually(within: 60) {
            (try? cluster.sql("SELECT count(*) FROM pg_locks WHERE relation = 'event'::regclass AND granted AND mode = 'AccessExclusiveLock'",
                              database: "outbox")) == "1"
        })
        let read = Task { try await store.lastEventID() }
        #expect(await eventually(within: 60) {
            (try? cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", database: "outbox")) == "1"
        })
        _ = try cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'", database: "outbox")
        let error = try #require(await Self.failure { try await read.value }, "the read was not ended")
        let unreachable = try #require(store.unreachability(of: error), "\(error)")
        #expect(unreachable.code == .unreachable && unreachable.isTemporary)
        #expect(unreachable.reason.hasPrefix("cannot reach the PostgreSQL outbox at 127.0.0.1:\(cluster.port): "), "\(unreachable.reason)")
        _ = try cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN; LOCK TABLE event%'", database: "outbox")

        // The server itself still answers: the probe finds nothing wrong.
        #expect(await store.unreachability() == nil)
    }

    /// The server stays down: the probe says so, the pool's waiting read ends once its circuit
    /// breaker opens (a minute of failed connects) and that error is "unreachable" too; once
    /// the server is back, the probe and the store answer again.
    @Test func aPoolThatCannotConnectForAMinuteIsUnreachable() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster), store = try #require(fixture.postgres)
        try cluster.stopServer()
        let probed = try #require(await store.unreachability())
        #expect(probed.reason == "cannot reach the PostgreSQL outbox at 127.0.0.1:\(cluster.port): Connection refused")

        let error = try #require(await Self.failure { try await store.lastEventID() }, "the read did not fail")
        let unreachable = try #require(store.unreachability(of: error), "\(error)")
        #expect(unreachable.reason.hasPrefix("cannot reach the PostgreSQL outbox at 127.0.0.1:\(cluster.port): "), "\(unreachable.reason)")

        try cluster.restartServer()
        #expect(try await eventuallyAsync(within: 60) { await store.unreachability() == nil })
        #expect(try await eventuallyAsync(within: 180) { (try? await store.lastEventID()) != nil })
    }

    /// The error `body` ends with, or nil when it succeeds.
    private static func failure(_ body: () async throws -> Int64) async -> (any Error)? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }
}
