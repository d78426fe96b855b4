import Foundation
import OutboxStore

/// Group commit of delivery outcomes on a thread of its own. Workers hand in outcomes with
/// ``submit(_:)`` and go on; the commit thread writes everything pending in ONE transaction
/// (one WAL sync), overlapping the workers' next SMTP exchanges. A worker waits for its
/// ticket (``wait(_:)``) before the server can accept its next message (see
/// ``DeliveryWorker``), which keeps at most one accepted-but-unrecorded message per worker.
///
/// Gathering: a commit starts once every busy worker (``busy``) has handed in an outcome,
/// or ``gatherLimit`` after the first one arrived — one sync for the whole round instead
/// of alternating half-full commits.
///
/// Wake-ups: only the commit thread waits on `condition`, and a hand-in wakes it only when
/// it has something to do (the first outcome starts the gathering, the last one of the
/// round starts the commit); a worker waits on its own ticket, woken by that ticket's
/// commit alone. Every needless wake-up is a context switch per message on a busy drain.
final class GroupCommitter: @unchecked Sendable {
    private let store: any DeliveryStore
    private let leaseOwner: String
    private let condition = NSCondition()
    private var pending: [Ticket] = []  // guarded by `condition`
    private var committing = false  // guarded by `condition`
    private var closing = false  // guarded by `condition`
    private var running = false  // guarded by `condition`
    private var commits = 0, committed = 0  // guarded by `condition`
    private var busy = 0  // guarded by `condition`
    private var latency = BucketHistogram(bounds: GroupCommitter.latencyBounds)  // guarded by `condition`
    private var batchSizes = BucketHistogram(bounds: GroupCommitter.batchSizeBounds)  // guarded by `condition`
    private let gatherLimit: TimeInterval
    private let progress: EngineProgress?

    /// One handed-in outcome; its result is set once its transaction ended.
    final class Ticket {
        let entry: PendingRecord
        /// Runs on the committing thread once the transaction ended without error.
        let onCommitted: (@Sendable () -> Void)?
        fileprivate let submitted = ContinuousClock.now
        fileprivate var result: Result<Bool, any Error>?  // guarded by the committer's condition
        /// Signalled once, when `result` is set by the commit thread.
        fileprivate let committed = DispatchSemaphore(value: 0)
        fileprivate init(_ entry: PendingRecord, onCommitted: (@Sendable () -> Void)?) {
            self.entry = entry
            self.onCommitted = onCommitted
        }
    }

    /// - Parameter gatherLimit: the longest an outcome waits for others to join its commit.
    /// - Parameter progress: where each commit is reported as one step (for the watchdog).
    init(database store: any DeliveryStore, leaseOwner: String, gatherLimit: Duration = .milliseconds(2), progress: EngineProgress? = nil) {
        self.store = store
        self.leaseOwner = leaseOwner
        self.progress = progress
        let (seconds, attoseconds) = gatherLimit.components
        self.gatherLimit = Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A worker has messages to send (its outcomes are worth waiting for) or has none.
    func setBusy(_ isBusy: Bool) {
        condition.lock()
        busy += isBusy ? 1 : -1
        // One fewer busy worker may complete the round the commit thread gathers.
        if !isBusy, !pending.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// Starts the commit thread (once; again after ``close()``).
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        closing = false
        let thread = Thread { [self] in commitLoop() }
        thread.name = "outbox-commit"
        thread.start()
    }

    /// Commits what is pending, then ends the commit thread; returns when it ended.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while running { condition.wait() }
    }

    /// Hands in an outcome; returns at once. Without a running commit thread the outcome
    /// is committed by the first ``wait(_:)`` on it. `onCommitted` runs right after a
    /// transaction that recorded it (or found the message no longer leased) ended.
    func submit(_ entry: PendingRecord, onCommitted: (@Sendable () -> Void)? = nil) -> Ticket {
        let ticket = Ticket(entry, onCommitted: onCommitted)
        condition.lock()
        pending.append(ticket)
        if pending.count == 1 || pending.count >= busy || closing { condition.broadcast() }
        condition.unlock()
        return ticket
    }

    /// Blocks until the ticket's transaction ended: true when recorded, false when the
    /// message is no longer leased to this engine; throws when the transaction failed.
    func wait(_ ticket: Ticket) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ticket.result == nil {
            if !running && !committing {
                commitPending()  // no commit thread (tests, or after close): commit here
            } else if running {
                // The commit thread commits every pending ticket and signals each one.
                condition.unlock()
                ticket.committed.wait()
                condition.lock()
            } else {
                condition.wait()  // another caller commits here; it broadcasts when done
            }
        }
        return try ticket.result!.get()
    }

    /// Workers that currently have messages to send.
    var busyWorkers: Int {
        condition.lock()
        defer { condition.unlock() }
        return busy
    }

    /// Submits and waits.
    func record(_ entry: PendingRecord) throws -> Bool { try wait(submit(entry)) }

    /// Outcomes queued behind the commit under way.
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    /// Seconds from ``submit(_:onCommitted:)`` to the end of the transaction, and outcomes
    /// per transaction, of the transactions committed so far.
    var histograms: (latency: BucketHistogram, batchSize: BucketHistogram) {
        condition.lock()
        defer { condition.unlock() }
        return (latency, batchSizes)
    }

    static let latencyBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let batchSizeBounds: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

    /// (transactions, outcomes) committed so far.
    var figures: (commits: Int, committed: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (commits, committed)
    }

    private func commitLoop() {
        condition.lock()
        defer {
            running = false
            condition.broadcast()
            condition.unlock()
        }
        var firstArrival: Date?
        while true {
            if pending.isEmpty {
                if closing { return }
                condition.wait()
                continue
            }
            let first = firstArrival ?? Date()
            firstArrival = first
            let deadline = first.addingTimeInterval(gatherLimit)
            if pending.count < busy, !closing, Date() < deadline {
                _ = condition.wait(until: deadline)
                continue
            }
            firstArrival = nil
            commitPending()
        }
    }

    /// Takes everything pending and commits it; called and returns with `condition` locked.
    private func commitPending() {
        committing = true
        let group = pending
        pending.removeAll(keepingCapacity: true)
        condition.unlock()
        progress?.begin("commit")
        let outcome = Result { try store.record(group.map(\.entry), leaseOwner: leaseOwner, now: DeliveryWorker.now()) }
        progress?.end("commit")
        let ended = ContinuousClock.now
        if case .success = outcome { for member in group { member.onCommitted?() } }
        condition.lock()
        for (index, member) in group.enumerated() {
            member.result = outcome.map { $0[index] }
            member.committed.signal()
        }
        commits += 1
        committed += group.count
        if case .success = outcome {
            for member in group {
                let waited = member.submitted.duration(to: ended).components
                latency.observe(Double(waited.seconds) + Double(waited.attoseconds) / 1e18)
            }
            batchSizes.observe(Double(group.count))
        }
        committing = false
        condition.broadcast()
    }
}
