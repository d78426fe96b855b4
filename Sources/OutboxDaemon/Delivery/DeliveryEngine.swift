import Foundation
import OutboxCore
import Logging
public import OutboxStore
import Synchronization

/// The delivery loop: N workers claim due messages with a lease, send them through the
/// owner's profile resolved at send time, and record every outcome. An enqueue is noticed
/// within ``DeliveryConfiguration/pollInterval`` through `PRAGMA data_version`; idle
/// workers sleep.
///
/// Duplicates: a message is recorded only after the server accepted it, so a crash between
/// the server's 250 and the commit re-sends it after restart. Each worker has at most one
/// message in that window, so at most ``DeliveryConfiguration/workers`` duplicates per crash.
/// Outcomes are written by group commit (``GroupCommitter``) on a thread of its own; a
/// worker sends its next message's MAIL, RCPT and DATA meanwhile, but waits for the commit
/// before it sends the body and the final "." that lets the server accept it, which keeps
/// that bound.
public final class DeliveryEngine: Sendable {
    public let database: OutboxDatabase
    public let configuration: DeliveryConfiguration
    /// This engine's lease owner name, `host:pid:random`.
    public let leaseOwner: String
    let wake = WakeSignal()
    let counters = DeliveryCounters()
    let rateGate: RateGate
    let committer: GroupCommitter
    let connections: ConnectionPool
    /// Where each worker and the commit thread are; see ``stalledSteps(longerThan:)``.
    let progress = EngineProgress()
    /// Copies of sent messages into IMAP folders, made off the send path.
    let sentCopies: SentCopier
    /// The Sent-folder looks of messages whose outcome is unknown.
    let unknownOutcomes: UnknownOutcomeResolver
    private let stopping = Atomic<Bool>(false)
    private let group = DispatchGroup()
    private let started = Atomic<Bool>(false)
    /// Signalled when the change watcher's thread ended (and closed its connection).
    private let watcherEnded = DispatchSemaphore(value: 0)
    private let watcherRunning = Atomic<Bool>(false)
    /// The change watcher's connection; dropped (closed) when its thread ends.
    private let watcher = Mutex<ChangeWatcher?>(nil)
    private let logger = Logger(label: "outbox.delivery")

    /// - Parameter limits: where connection caps and rate limits are counted when several
    ///   nodes share the outbox (a PostgreSQL store's); nil counts in this process (SQLite).
    public init(database: OutboxDatabase, configuration: DeliveryConfiguration, limits: (any SendLimitLedger)? = nil) {
        self.database = database
        self.configuration = configuration
        self.leaseOwner = LeaseOwnerID.make()
        self.rateGate = RateGate(database: database, pace: configuration.pace, ledger: limits, holder: leaseOwner)
        self.committer = GroupCommitter(database: database, leaseOwner: leaseOwner, progress: progress)
        self.connections = ConnectionPool(idleCapacity: max(8, 2 * configuration.workers), slots: limits ?? LocalConnectionSlots(), holder: leaseOwner)
        self.sentCopies = SentCopier(database: database, retryDelays: configuration.sentCopyRetryDelays, capacity: configuration.sentCopyQueueLimit)
        self.unknownOutcomes = UnknownOutcomeResolver(database: database, configuration: configuration)
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// True once ``stop(grace:)`` was called.
    public var isStopped: Bool { isStopping }

    /// Crash recovery: puts back to `queued` the messages whose lease expired or whose
    /// lease owner (a process on this host) is gone. Returns how many.
    @discardableResult
    public func recover() throws -> Int {
        let ids = try database.reclaimLeases(now: OutboxDatabase.milliseconds(Date()), isGone: LeaseOwnerID.isGone)
        if !ids.isEmpty { logger.notice("reclaimed \(ids.count) message(s) left in sending by a stopped daemon") }
        return ids.count
    }

    /// Sends what is due now and returns when nothing due by the start is left (`--once`).
    public func drain() -> DeliverySummary {
        let start = OutboxDatabase.milliseconds(Date())
        committer.start()
        sentCopies.start()
        launchWorkers(dueBy: start)
        group.wait()
        committer.close()
        connections.closeIdle()
        sentCopies.finish(within: configuration.sentCopyGrace)
        let figures = committer.figures
        logger.info("group commit: \(figures.committed) outcome(s) in \(figures.commits) transaction(s)")
        return counters.summary
    }

    /// Starts the workers and the change watcher; returns at once. Call ``stop(grace:)`` to end.
    public func start() throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            let opened = try ChangeWatcher(path: database.path)
            watcher.withLock { $0 = opened }
        } catch {
            started.store(false, ordering: .releasing)
            throw error
        }
        let interval = configuration.pollInterval
        let thread = Thread { [self] in
            while !isStopping {
                Thread.sleep(forTimeInterval: Double(RetryPolicy.milliseconds(interval)) / 1000)
                if watcher.withLock({ $0?.changed() ?? false }) { wake.wakeAll() }
            }
            watcher.withLock { $0 = nil }
            watcherEnded.signal()
        }
        thread.name = "outbox-watch"
        watcherRunning.store(true, ordering: .releasing)
        thread.start()
        committer.start()
        sentCopies.start()
        launchWorkers(dueBy: nil)
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
        committer.close()  // outcomes handed in are committed before anything is released
        do {
            let released = try database.release(leaseOwner: leaseOwner, now: OutboxDatabase.milliseconds(Date()))
            counters.add { $0.released += released }
        } catch {
            logger.error("releasing the messages still leased to this engine failed: \(error); they are reclaimed when their lease expires or at the next start",
                         metadata: ["lease-owner": "\(leaseOwner)"])
        }
        connections.closeIdle()  // QUITs last: a dead connection cannot hold up the release
        if watcherRunning.exchange(false, ordering: .acquiringAndReleasing) { watcherEnded.wait() }  // its connection is closed once this returns
        sentCopies.finish(within: configuration.sentCopyGrace)
        return counters.summary
    }

    /// The engine's threads stuck in one step (a claim, a message, a commit) for longer than
    /// `limit`, e.g. `worker 2: 75 s in one step`; empty while the engine makes progress.
    public func stalledSteps(longerThan limit: Duration) -> [String] {
        progress.stalled(longerThan: limit).map { "\($0.thread): \($0.running.components.seconds) s in one step" }
    }

    /// What the engine did so far.
    public var summary: DeliverySummary { counters.summary }

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
