import Foundation
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Synchronization
import Testing

/// The send-limit ledger on PostgreSQL, raced by three nodes — three connection pools, each
/// used from a thread of its own as the delivery workers use it — against a real server.
@Suite(.serialized) struct PostgresSendLimitsTests {
    private static let account = ConnectionAccount(host: "Smtp.Example.NET", port: 587, user: "erp@example.net")

    @Test(.timeLimit(.minutes(10))) func aCapOfTwoIsNeverExceededByThreeNodes() async throws {
        let nodes = try await Nodes(count: 3)
        defer { nodes.close() }
        let gauge = Gauge()
        let perNode = 30
        let granted = try await onThreads(3) { node in
            var slots = 0
            while slots < perNode {
                guard let slot = try nodes.ledgers[node].acquireConnection(Self.account, cap: 2, holder: "node-\(node)") else {
                    gauge.waits.add(1, ordering: .relaxed)
                    usleep(2_000)
                    continue
                }
                // Between the grant and the release the slot is "open": never a third at once.
                let now = gauge.open.add(1, ordering: .sequentiallyConsistent).newValue
                gauge.most.max(now, ordering: .sequentiallyConsistent)
                usleep(5_000)
                gauge.open.subtract(1, ordering: .sequentiallyConsistent)
                try nodes.ledgers[node].releaseConnections([slot])
                slots += 1
            }
            return slots
        }
        #expect(granted == [perNode, perNode, perNode])
        #expect(gauge.most.load(ordering: .sequentiallyConsistent) == 2, "two at once, never a third")
        #expect(gauge.waits.load(ordering: .relaxed) > 0, "the nodes did contend for the slots")
        // Everything given back: a fresh holder gets both slots, and no third.
        let fresh = try await onThreads(1) { _ in try (0..<3).map { _ in try nodes.ledgers[0].acquireConnection(Self.account, cap: 2, holder: "fresh") } }
        #expect(fresh[0].map { $0 != nil } == [true, true, false])
    }

    @Test(.timeLimit(.minutes(10))) func aDeadHoldersSlotsAreFreedWhenTheirLeaseEnds() async throws {
        let nodes = try await Nodes(count: 2, slotLease: .seconds(4))
        defer { nodes.close() }
        let (dying, survivor) = (nodes.ledgers[0], nodes.ledgers[1])
        let checks = try await onThreads(1) { _ -> [String] in
            var seen: [String] = []
            let held = try (0..<2).compactMap { _ in try dying.acquireConnection(Self.account, cap: 2, holder: "dying") }
            seen.append("held \(held.count)")
            seen.append(try survivor.acquireConnection(Self.account, cap: 2, holder: "survivor") == nil ? "full" : "granted")
            // Renewed before the lease ends, the slots stay taken past their first lease (4 s).
            let acquired = Date()
            usleep(1_500_000)
            let renewed = Date()
            seen.append("renewed \(try dying.renewConnections(held).count)")
            usleep(UInt32(max(0, 4.5 - Date().timeIntervalSince(acquired)) * 1_000_000))
            let taken = try survivor.acquireConnection(Self.account, cap: 2, holder: "survivor") == nil
            // On a machine too busy to look within the renewed lease, the look proves nothing.
            seen.append(taken ? "full" : Date().timeIntervalSince(renewed) > 3.8 ? "full (looked late)" : "granted")
            // The holder dies (nothing given back, nothing renewed): free once the renewed lease ends.
            let died = Date()
            var granted: ConnectionSlot?
            while granted == nil, Date().timeIntervalSince(died) < 10 {
                usleep(100_000)
                granted = try survivor.acquireConnection(Self.account, cap: 2, holder: "survivor")
            }
            let after = Date().timeIntervalSince(died)
            seen.append(granted == nil ? "never freed" : after < 8 ? "freed after the lease" : "freed after \(after) s")
            // A renewal by the dead holder's slots, too late, finds them gone.
            seen.append("late renewal keeps \(try dying.renewConnections(held).count)")
            return seen
        }
        #expect(checks[0].map { $0 == "full (looked late)" ? "full" : $0 } == ["held 2", "full", "renewed 2", "full", "freed after the lease", "late renewal keeps 0"])
    }

    @Test(.timeLimit(.minutes(10))) func atMostSixtyAreAdmittedInAMinuteAcrossThreeNodes() async throws {
        let nodes = try await Nodes(count: 3)
        defer { nodes.close() }
        let limits = SendLimits(perMinute: 60)  // no spacing: the window count alone
        let answers = try await onThreads(3) { node in
            try (0..<40).map { _ in
                let answer = try nodes.ledgers[node].admitSend(owner: "erp", limits: limits, recipients: 1, holder: "node-\(node)", now: Self.now())
                if case .go(let ticket) = answer { nodes.ledgers[node].finishSend(ticket, sent: true) }
                return answer
            }
        }
        let admitted = answers.joined().compactMap { if case .go(let ticket) = $0 { ticket } else { nil } }
        let waits = answers.joined().compactMap { if case .wait(let until, let reason) = $0 { (until, reason) } else { nil } }
        #expect(admitted.count == 60, "exactly the limit, from 120 tries of three nodes")
        let times = admitted.map(\.admittedAt).sorted()
        #expect(times.last! - times.first! < 60_000)
        #expect(waits.count == 60 && waits.allSatisfy { $0.1 == .messages(.minute, limit: 60) })
        // The window opens a minute after the first admission, not before.
        #expect(waits.allSatisfy { $0.0 - Self.now() > 50_000 })
    }

    @Test(.timeLimit(.minutes(10))) func sendsAreSpreadEvenlyAcrossThreeNodes() async throws {
        let nodes = try await Nodes(count: 3)
        defer { nodes.close() }
        let limits = SendLimits(perMinute: 600, spacing: 100)  // as RateGate spreads 600 a minute: one every 100 ms
        let started = Date()
        let answers = try await onThreads(3) { node -> (times: [Int64], reasons: Set<SendLimitReason>) in
            var times: [Int64] = [], reasons = Set<SendLimitReason>()
            while Date().timeIntervalSince(started) < 2 {
                switch try nodes.ledgers[node].admitSend(owner: "erp", limits: limits, recipients: 1, holder: "node-\(node)", now: Self.now()) {
                case .go(let ticket):
                    times.append(ticket.admittedAt)
                    nodes.ledgers[node].finishSend(ticket, sent: true)
                case .wait(let until, let reason):
                    reasons.insert(reason)
                    usleep(UInt32(max(1, min(until - Self.now(), 200))) * 1_000)
                }
            }
            return (times, reasons)
        }
        let admitted = answers.map(\.times), times = admitted.joined().sorted()
        #expect(Set(answers.flatMap(\.reasons)) == [.spacing(milliseconds: 100)])
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 100 }, "at least 100 ms apart on the database's clock: \(gaps.filter { $0 < 100 })")
        #expect(times.count >= 5 && times.count <= 21, "at most one per 100 ms for 2 s (fewer on a busy machine): \(times.count)")
        #expect(admitted.filter { !$0.isEmpty }.count >= 2, "the nodes took turns: \(admitted.map(\.count))")
    }

    @Test(.timeLimit(.minutes(10))) func recipientsPerDayCountAndASendNotAcceptedIsGivenBack() async throws {
        let nodes = try await Nodes(count: 2)
        defer { nodes.close() }
        let limits = SendLimits(recipientsPerDay: 10)
        let steps = try await onThreads(1) { _ -> [String] in
            var steps: [String] = []
            var tickets: [SendTicket] = []
            for node in [0, 1, 0, 1] {
                switch try nodes.ledgers[node].admitSend(owner: "erp", limits: limits, recipients: 3, holder: "node-\(node)", now: Self.now()) {
                case .go(let ticket):
                    tickets.append(ticket)
                    steps.append("go")
                case .wait(_, let reason):
                    steps.append(reason == .recipientsPerDay(limit: 10) ? "wait: recipients" : "wait: \(reason)")
                }
            }
            // Three sends of three recipients count nine; one refused by the server gives its three back.
            nodes.ledgers[0].finishSend(tickets[0], sent: false)
            var again = "wait"
            for _ in 0..<50 where again == "wait" {
                usleep(50_000)
                if case .go = try nodes.ledgers[1].admitSend(owner: "erp", limits: limits, recipients: 3, holder: "node-1", now: Self.now()) { again = "go" }
            }
            steps.append(again)
            return steps
        }
        #expect(steps[0] == ["go", "go", "go", "wait: recipients", "go"])
    }

    private static func now() -> Int64 { OutboxDatabase.milliseconds(Date()) }
}

/// Connections open at once, the most seen, and refused tries, counted by the racing threads.
private final class Gauge: Sendable {
    let open = Atomic<Int>(0), most = Atomic<Int>(0), waits = Atomic<Int>(0)
}

/// Three (or `count`) nodes of one PostgreSQL outbox in a private cluster, each with its
/// own connection pool and ledger.
final class Nodes: Sendable {
    let cluster: PostgresCluster
    let stores: [PostgresStore]
    let ledgers: [PostgresSendLimits]

    init(count: Int, slotLease: Duration = .seconds(30)) async throws {
        cluster = try PostgresCluster()
        do {
            try cluster.createDatabase("outbox")
            let location = try PostgresLocation(cluster.url(database: "outbox"))
            var stores: [PostgresStore] = []
            for _ in 0..<count { stores.append(try await PostgresStore.open(location, environment: [:])) }
            self.stores = stores
            ledgers = stores.map { PostgresSendLimits(store: $0, slotLease: slotLease) }
        } catch {
            cluster.stop()
            throw error
        }
    }

    func close() {
        for store in stores { store.close() }
        cluster.stop()
    }
}

/// Runs `body(0..<count)` each on a thread of its own (``onDedicatedThread(_:)``) — the ledger
/// blocks its caller for a round trip, as in a delivery worker — and returns the results in order.
func onThreads<Value: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Value) async throws -> [Value] {
    try await withThrowingTaskGroup(of: (Int, Value).self) { group in
        for index in 0..<count { group.addTask { (index, try await onDedicatedThread { try body(index) }) } }
        var results: [(Int, Value)] = []
        for try await result in group { results.append(result) }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
