import Dispatch
import Foundation
public import Logging
import OutboxCore
public import OutboxStore
import PostgresNIO
import Synchronization

/// ``OutboxStore/DeliveryStore`` on PostgreSQL: the delivery engine's synchronous calls
/// bridged onto ``PostgresStore``'s async ones. Each call blocks its caller — a worker or
/// the commit thread of the engine, dedicated threads — while the query runs on
/// postgres-nio's event loop; never call it from Swift's cooperative pool.
///
/// Times: the engine passes its own clock; they are moved onto the database server's
/// clock (`clock_timestamp()`, offset measured at open and every ``clockCheck``; differences
/// below ``clockTolerance`` are left alone), so leases, claims, holds and events compare on
/// one clock whatever the nodes' clocks say. (An enqueue still stamps its due time with
/// the enqueuing node's clock.)
public final class PostgresDeliveryStore: DeliveryStore {
    public let store: PostgresStore
    /// Database clock minus this node's clock, in milliseconds.
    private let offset = Atomic<Int64>(0)
    private let offsetMeasuredAt = Atomic<Int64>(0)
    private let logger: Logger
    /// How often the clock offset is measured again (at a claim).
    static let clockCheck: Int64 = 30_000
    /// A clock difference smaller than this (plus the measuring round trip) is not corrected.
    static let clockTolerance: Int64 = 250

    /// Wraps `store` and measures the clock offset.
    public init(_ store: PostgresStore, logger: Logger = Logger(label: "outbox.postgres")) throws {
        self.store = store
        self.logger = logger
        self.sendLimits = PostgresSendLimits(store: store)
        try measureClock()
    }

    public var displayName: String { store.location.description }
    /// Several nodes share one PostgreSQL queue.
    public var isShared: Bool { true }
    /// Connection caps and rate limits counted in the database, across the nodes.
    public let sendLimits: (any SendLimitLedger)?
    /// This node's secrets key, which opens the DKIM keys (``OutboxStore/SecretKeySource/resolve(sharedStoreEnvironment:)``).
    public let secrets = SecretVault(source: .resolve(sharedStoreEnvironment: ProcessInfo.processInfo.environment))

    /// This node's clock, Unix milliseconds.
    static func localNow() -> Int64 { OutboxDatabase.milliseconds(Date()) }

    /// The database clock at this node's `local` time.
    func databaseTime(_ local: Int64) -> Int64 { local + offset.load(ordering: .relaxed) }

    private func measureClock() throws {
        let before = Self.localNow()
        let database = try blocking { try await $0.databaseNow() }
        let after = Self.localNow()
        // Within the measurement's noise (a round trip) of NTP-synchronised clocks, this node's
        // clock is kept: a few milliseconds' correction would only make a message the
        // enqueuing node stamped "due now" look due a moment later here.
        let raw = database - (before + after) / 2
        let measured = abs(raw) < Self.clockTolerance + (after - before) ? 0 : raw
        let previous = offset.exchange(measured, ordering: .relaxed)
        offsetMeasuredAt.store(after, ordering: .relaxed)
        if abs(measured) > 1_000, abs(measured - previous) > 1_000 {
            logger.notice("this node's clock is \(-measured) ms off the database server's; leases and due times follow the server's")
        }
    }

    public func claimBatch(leaseOwner: String, limit: Int, now: Int64, dueBy: Int64, leaseUntil: Int64) throws -> ClaimedBatch {
        if now - offsetMeasuredAt.load(ordering: .relaxed) > Self.clockCheck { try? measureClock() }
        let (at, due, until) = (databaseTime(now), databaseTime(dueBy), databaseTime(leaseUntil))
        return try blocking { try await $0.claimBatch(leaseOwner: leaseOwner, limit: limit, now: at, dueBy: due, leaseUntil: until) }
    }

    /// The engine's times in `entries` (retry and unknown-outcome due times) move onto the database clock too.
    public func record(_ entries: [PendingRecord], leaseOwner: String, now: Int64) throws -> [Bool] {
        let at = databaseTime(now), offset = at - now
        let entries = offset == 0 ? entries : entries.map { PendingRecord($0.record.shifted(by: offset), messageID: $0.messageID) }
        return try blocking { try await $0.record(entries, leaseOwner: leaseOwner, now: at) }
    }

    public func renewLeases(leaseOwner: String, until: Int64) throws {
        let at = databaseTime(until)
        try blocking { try await $0.renewLeases(leaseOwner: leaseOwner, until: at) }
    }

    /// Also wakes the other nodes: the released messages are theirs to claim.
    @discardableResult
    public func release(leaseOwner: String, messageIDs: [Int64]?, now: Int64) throws -> Int {
        let at = databaseTime(now)
        return try blocking { store in
            let released = try await store.release(leaseOwner: leaseOwner, messageIDs: messageIDs, now: at)
            if released > 0 { try await store.notifyClaimable() }
            return released
        }
    }

    /// Expired leases (on the database clock) and those of owners `isGone` (processes of this host) come back.
    @discardableResult
    public func reclaimLeases(now: Int64, isGone: (String) -> Bool) throws -> [Int64] {
        let owners = try blocking { try await $0.leaseOwners() }
        let gone = Set(owners.filter(isGone)), at = databaseTime(now)
        return try blocking { store in
            let ids = try await store.reclaimLeases(now: at, isGone: { gone.contains($0) })
            if !ids.isEmpty { try await store.notifyClaimable() }
            return ids
        }
    }

    public func nextWakeTime() throws -> Int64? {
        try blocking { try await $0.nextWakeTime() }.map { $0 - offset.load(ordering: .relaxed) }
    }

    public func profileLayers(owner: String) throws -> (own: ProfileFields?, global: ProfileFields?) {
        let layers = try blocking { try await $0.profileLayers(owner: owner) }
        return (layers.own, layers.global)
    }

    @discardableResult
    public func hold(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, code: Int?, enhancedCode: String?,
                     now: Int64) throws -> Bool {
        let (at, end) = (databaseTime(now), databaseTime(until))
        return try blocking {
            try await $0.hold(owner: owner, messageID: messageID, leaseOwner: leaseOwner, until: end, reason: reason, code: code,
                              enhancedCode: enhancedCode, now: at)
        }
    }

    public func pauseForRateLimit(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, now: Int64) throws {
        let (at, end) = (databaseTime(now), databaseTime(until))
        try blocking { try await $0.pauseForRateLimit(owner: owner, messageID: messageID, leaseOwner: leaseOwner, until: end, reason: reason, now: at) }
    }

    @discardableResult
    public func liftConfigurationHolds() throws -> [String] {
        try blocking { try await $0.liftConfigurationHolds() }
    }

    public func status() throws -> OutboxStatus {
        try blocking { try await $0.status() }
    }

    /// `LISTEN` on ``PostgresStore/enqueueChannel`` on a connection of its own; an enqueue,
    /// release or reclaim on any node calls `onChange`. A lost connection is listened on
    /// again after a second (with one `onChange`, as something may have been missed).
    /// `pollInterval` is not used: nothing is polled.
    public func watchChanges(pollInterval: Int64, _ onChange: @escaping @Sendable () -> Void) throws -> any ChangeWatch {
        PostgresChangeWatch(store: store, logger: logger, onChange: onChange)
    }

    public func close() throws {
        store.close()
    }

    /// The DKIM keys of `domain`, opened with this node's secrets key (``secrets``).
    public func dkimSigningKeys(domain: String) throws -> [DKIMSigningKey] {
        let secrets = secrets
        return try blocking { try await $0.dkimSigningKeys(domain: domain, secrets: secrets) }
    }

    /// Runs `work` on the concurrency pool and blocks this (dedicated) thread until it ends.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        let store = store
        do {
            return try waitingOnThisThread { try await work(store) }
        } catch let error as PSQLError {
            // The server's message (postgres-nio hides it from the description), temporary as I/O errors are.
            throw StoreError(.ioError, "PostgreSQL outbox \(store.location): \(PostgresStore.describe(error))")
        }
    }
}

/// Runs `body` on Swift's concurrency pool and blocks the calling thread until it ends: the
/// bridge from the delivery engine's own threads (never the pool or an event loop) to
/// postgres-nio's async API.
func waitingOnThisThread<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get()
}

/// The running `LISTEN` of ``PostgresDeliveryStore/watchChanges(pollInterval:_:)``.
final class PostgresChangeWatch: ChangeWatch {
    private let task: Task<Void, Never>
    private let ended = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    init(store: PostgresStore, logger: Logger, onChange: @escaping @Sendable () -> Void) {
        let ended = ended
        task = Task {
            defer { ended.signal() }
            while !Task.isCancelled {
                do {
                    try await store.withEnqueueNotifications { notifications in
                        onChange()  // anything committed while not listening
                        for try await _ in notifications { onChange() }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("listening for enqueues on \(store.location) failed: \(PostgresStore.describe(error)); listening again in 1 s")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        task.cancel()
        ended.wait()
    }
}
