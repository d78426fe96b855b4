import Foundation
import OutboxCore
import Logging
public import OutboxStore
import Synchronization

/// The delivery loop: N workers claim due messages with a lease, send them through the
/// owner's profile resolved at send time, and record every outcome, on any
/// ``OutboxStore/DeliveryStore``: SQLite (``OutboxDatabase``) or PostgreSQL shared by several
/// nodes. An enqueue is noticed through the store's change watch (SQLite: `PRAGMA
/// data_version` every ``DeliveryConfiguration/pollInterval``; PostgreSQL: `LISTEN`); idle
/// workers sleep until then, the next due time or ``DeliveryConfiguration/idleRecheck``.
///
/// Duplicates: a message is recorded only after the server accepted it, so a crash between
/// the server's 250 and the commit re-sends it after restart. Each worker has at most one
/// message in that window, so at most ``DeliveryConfiguration/workers`` duplicates per crash.
/// Outcomes are written by group commit (``GroupCommitter``) on a thread of its own; a
/// worker sends its next message's MAIL, RCPT and DATA meanwhile, but waits for the commit
/// before it sends the body and the final "." that lets the server accept it, which keeps
/// that bound.
///
/// On a shared store, leases expire on the store's clock: a node that dies loses its
/// messages when their leases expire, and the first worker of every other node takes them
/// over (``reclaimExpired(now:)``). Connection caps and rate limits are counted in the
/// store's ``OutboxStore/DeliveryStore/sendLimits``, across nodes; DKIM keys are read from
/// the store, and each node copies what it sent to the Sent folder. Sent-folder looks for
/// unknown outcomes are SQLite-only: there an unknown outcome is parked for `outbox
/// resolve` or resent per `unknown-outcome`. The send pace after "too fast" replies is kept
/// by each node for itself there.
public final class DeliveryEngine: Sendable {
    public let store: any DeliveryStore
    /// The SQLite outbox when the store is one: unknown-outcome looks in the Sent folder
    /// live only there for now. Nil on PostgreSQL.
    public let database: OutboxDatabase?
    public let configuration: DeliveryConfiguration
    /// This engine's lease owner name, `host:pid:start` (see ``LeaseOwnerID``).
    public let leaseOwner: String
    let wake = WakeSignal()
    let counters = DeliveryCounters()
    /// Rate limits and send pace; nil on a store that counts no limits (none does today).
    let rateGate: RateGate?
    let committer: GroupCommitter
    let connections: ConnectionPool
    /// Where each worker and the commit thread are; see ``stalledSteps(longerThan:)``.
    let progress = EngineProgress()
    /// Copies of sent messages into IMAP folders, made off the send path (SQLite only for now).
    let sentCopies: SentCopier?
    /// The Sent-folder looks of messages whose outcome is unknown (SQLite only for now).
    let unknownOutcomes: UnknownOutcomeResolver?
    private let stopping = Atomic<Bool>(false)
    private let group = DispatchGroup()
    private let started = Atomic<Bool>(false)
    /// The store's change watch while ``start()`` runs the engine.
    private let watch = Mutex<(any ChangeWatch)?>(nil)
    /// When the first worker last took over expired leases (shared stores).
    private let lastReclaim = Atomic<Int64>(0)
    /// Renews this engine's leases every third of a lease while it runs, so messages of
    /// workers waiting long (for a connection slot another node holds, a rate pause, a slow
    /// server) are not taken over by another node and sent twice.
    private let leaseRenewal = Mutex<BackgroundLoop?>(nil)
    private let logger = Logger(label: "outbox.delivery")

    /// An engine on the SQLite outbox.
    public convenience init(database: OutboxDatabase, configuration: DeliveryConfiguration) {
        self.init(store: database, configuration: configuration)
    }

    /// An engine on `store`; the SQLite-only parts run when it is an ``OutboxDatabase``.
    /// - Parameter limits: where connection caps and rate limits are counted; nil takes the
    ///   store's ``OutboxStore/DeliveryStore/sendLimits`` (PostgreSQL: in the database, across
    ///   nodes; SQLite: in this process).
    public init(store: any DeliveryStore, configuration: DeliveryConfiguration, limits: (any SendLimitLedger)? = nil) {
        let database = store as? OutboxDatabase, limits = limits ?? store.sendLimits, leaseOwner = LeaseOwnerID.make()
        self.store = store
        self.database = database
        self.configuration = configuration
        self.leaseOwner = leaseOwner
        self.rateGate = if let database {
            RateGate(database: database, pace: configuration.pace, ledger: limits, holder: leaseOwner)
        } else {
            limits.map { RateGate(ledger: $0, pace: SendPace(store: store as? any PaceStore, shared: store.isShared, policy: configuration.pace), holder: leaseOwner) }
        }
        self.committer = GroupCommitter(database: store, leaseOwner: leaseOwner, progress: progress)
        self.connections = ConnectionPool(idleCapacity: max(8, 2 * configuration.workers), slots: limits ?? LocalConnectionSlots(), holder: leaseOwner)
        self.sentCopies = (store as? any SentCopyRecorder).map { SentCopier(recorder: $0, retryDelays: configuration.sentCopyRetryDelays, capacity: configuration.sentCopyQueueLimit) }
        self.unknownOutcomes = database.map { UnknownOutcomeResolver(database: $0, configuration: configuration) }
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// True once ``stop(grace:)`` was called.
    public var isStopped: Bool { isStopping }

    /// Crash recovery: puts back to `queued` the messages whose lease expired or whose
    /// lease owner (a process on this host) is gone. Returns how many.
    @discardableResult
    public func recover() throws -> Int {
        let ids = try store.reclaimLeases(now: OutboxDatabase.milliseconds(Date()), isGone: LeaseOwnerID.isGone)
        if !ids.isEmpty { logger.notice("reclaimed \(ids.count) message(s) left in sending by a stopped daemon") }
        return ids.count
    }

    /// On a shared store, at most every tenth of a lease: takes over the messages of
    /// leases that expired (a node that died or lost the database). Called by worker 1.
    func reclaimExpired(now: Int64) {
        guard store.isShared else { return }
        let every = max(1_000, RetryPolicy.milliseconds(configuration.leaseDuration) / 10)
        let last = lastReclaim.load(ordering: .relaxed)
        guard now - last >= every, lastReclaim.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        do {
            let ids = try store.reclaimLeases(now: now, isGone: LeaseOwnerID.isGone)
            if !ids.isEmpty {
                logger.notice("took over \(ids.count) message(s) whose lease expired (a node stopped without recording them)")
                wake.wakeAll()
            }
        } catch {
            logger.warning("taking over expired leases failed: \(error); trying again later")
        }
    }

    /// Sends what is due now and returns when nothing due by the start is left (`--once`).
    public func drain() -> DeliverySummary {
        let start = OutboxDatabase.milliseconds(Date())
        committer.start()
        sentCopies?.start()
        startLeaseRenewal()
        launchWorkers(dueBy: start)
        group.wait()
        leaseRenewal.withLock { $0.take() }?.stop()
        committer.close()
        connections.closeIdle()
        sentCopies?.finish(within: configuration.sentCopyGrace)
        let figures = committer.figures, latency = committer.histograms.latency
        let waited = latency.count == 0 ? 0 : latency.sum / Double(latency.count) * 1000
        logger.info("group commit: \(figures.committed) outcome(s) in \(figures.commits) transaction(s)")
        logger.debug("group commit: \(String(format: "%.2f", waited)) ms on average from hand-in to commit")
        return counters.summary
    }

    /// Starts the workers and the store's change watch; returns at once. Call ``stop(grace:)`` to end.
    public func start() throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            let opened = try store.watchChanges(pollInterval: RetryPolicy.milliseconds(configuration.pollInterval)) { [wake] in wake.wakeAll() }
            watch.withLock { $0 = opened }
        } catch {
            started.store(false, ordering: .releasing)
            throw error
        }
        committer.start()
        sentCopies?.start()
        startLeaseRenewal()
        launchWorkers(dueBy: nil)
    }

    private func startLeaseRenewal() {
        let lease = RetryPolicy.milliseconds(configuration.leaseDuration)
        let loop = BackgroundLoop(name: "outbox-lease-renewal", interval: .milliseconds(max(100, lease / 3))) { @Sendable [store, leaseOwner, logger] () -> Void in
            do {
                try store.renewLeases(leaseOwner: leaseOwner, until: OutboxDatabase.milliseconds(Date()) + lease)
            } catch {
                logger.error("renewing the leases failed: \(error); workers renew before each message and stop sending a batch they cannot renew")
            }
        }
        leaseRenewal.withLock { $0 = loop }
    }

    /// Stops claiming, lets in-flight sends finish for up to `grace`, releases every
    /// message still leased to this engine back to `queued`, and returns the summary.
    /// A send still running after `grace` may yet be accepted: its message is released all
    /// the same and can be sent twice (the duplicate bound holds for stops within `grace`).
    public func stop(grace: Duration? = nil) -> DeliverySummary {
        stopping.store(true, ordering: .releasing)
        wake.wakeAll()
        let seconds = Double(RetryPolicy.milliseconds(grace ?? configuration.shutdownGrace)) / 1000
        if group.wait(timeout: .now() + seconds) == .timedOut {
            logger.warning("in-flight sends did not finish within \(seconds) s; releasing their messages")
        }
        leaseRenewal.withLock { $0.take() }?.stop()
        committer.close()  // outcomes handed in are committed before anything is released
        do {
            let released = try store.release(leaseOwner: leaseOwner, messageIDs: nil, now: OutboxDatabase.milliseconds(Date()))
            counters.add { $0.released += released }
        } catch {
            logger.error("releasing the messages still leased to this engine failed: \(error); they are reclaimed when their lease expires or at the next start",
                         metadata: ["lease-owner": "\(leaseOwner)"])
        }
        connections.closeIdle()  // QUITs last: a dead connection cannot hold up the release
        watch.withLock { $0.take() }?.stop()  // its connection is closed once this returns
        sentCopies?.finish(within: configuration.sentCopyGrace)
        return counters.summary
    }

    /// The engine's threads stuck in one step (a claim, a message, a commit) for longer than
    /// `limit`, e.g. `worker 2: 75 s in one step`; empty while the engine makes progress.
    public func stalledSteps(longerThan limit: Duration) -> [String] {
        progress.stalled(longerThan: limit).map { "\($0.thread): \($0.running.components.seconds) s in one step" }
    }

    /// What the engine did so far.
    public var summary: DeliverySummary { counters.summary }

    /// The connection pool's use and the group commits' latency so far.
    public var readings: EngineReadings {
        let commits = committer.histograms
        return EngineReadings(engine: leaseOwner, connections: connections.readings(), commitLatency: commits.latency, commitBatchSize: commits.batchSize)
    }

    private func launchWorkers(dueBy: Int64?) {
        for number in 1...max(1, configuration.workers) {
            group.enter()
            let thread = Thread { [self] in
                DeliveryWorker(engine: self, number: number).run(dueBy: dueBy)
                group.leave()
            }
            thread.name = "outbox-worker-\(number)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
