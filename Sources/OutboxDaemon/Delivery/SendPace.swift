import Logging
import OutboxCore
import OutboxStore
import Synchronization

/// How a profile slows down after a "too fast" reply and ramps back up.
public struct PacePolicy: Sendable, Hashable {
    /// Accepted messages in a row that lower the level by one.
    public var rampAfter = 20
    /// The spacing of sends at level 1; it doubles with each level.
    public var interval: Duration = .milliseconds(500)
    /// The first pause after a throttle; nil takes the reply's own from ``ThrottleReplyTable``.
    public var pause: Duration?
    /// The longest pause, however often the profile is throttled.
    public var maximumPause: Duration = .seconds(3600)

    public init() {}
}

/// Back-off that listens (issue #18 part 2): a reply from ``ThrottleReplyTable`` slows the
/// profile that got it; successes ramp it back. Level 0 is full speed. Each throttle raises
/// the level by one — half the connections (at least one) and half the rate — and pauses the
/// profile for the reply's pause, doubled per level (at most an hour): a multiplicative
/// decrease. Every ``PacePolicy/rampAfter`` successes in a row lower the level by one, a step
/// at a time. Sends at a level are spaced evenly, ``interval(level:)`` apart, not in bursts.
///
/// The state lives in `send_pace` (read at start, written at each change with a `paced`
/// event), so a restart keeps a slowed profile slow and `outbox status` shows it. On a store
/// several nodes share, each node reads it again every ``sharedRefresh`` (from a worker, at
/// an admission): a slowdown one node met holds on every node, and so does a ramp back up.
final class SendPace: Sendable {
    static let maximumLevel = 6
    private let policy: PacePolicy

    private struct State {
        var level: Int
        var pausedUntil: Int64
        var reason: String
        var successes = 0
        /// The earliest time of the next send at this level (in memory only).
        var nextSlot: Int64 = 0
        /// When this level was set (by this node or, read back, another).
        var updatedAt: Int64 = 0

        init(_ record: SendPaceRecord) {
            (level, pausedUntil, reason, updatedAt) = (record.level, record.pausedUntil, record.reason, record.updatedAt)
        }

        init(level: Int, pausedUntil: Int64, reason: String) { (self.level, self.pausedUntil, self.reason) = (level, pausedUntil, reason) }
    }

    private let states: Mutex<[String: State]>
    /// Where the state is kept; nil keeps it in this process only.
    private let store: (any PaceStore)?
    /// Whether other nodes change the stored paces too (read again every ``sharedRefresh``).
    private let isShared: Bool
    /// When the stored paces were last read (shared stores only).
    private let readAt = Atomic<Int64>(0)
    private let logger = Logger(label: "outbox.pace")
    /// How often a node reads again the paces the other nodes share with it.
    static let sharedRefresh: Int64 = 5_000

    /// - Parameter shared: `store` is shared by several nodes; it is read when first needed
    ///   (from a worker) and every ``sharedRefresh`` after, not here.
    init(store: (any PaceStore)?, shared: Bool = false, policy: PacePolicy = PacePolicy()) {
        self.store = store
        self.isShared = shared
        self.policy = policy
        let stored = shared ? [] : (try? store?.sendPaces()) ?? []
        states = Mutex(Dictionary(uniqueKeysWithValues: stored.map { ($0.owner, State($0)) }))
    }

    /// On a shared store, once ``sharedRefresh`` has passed: takes what the nodes stored.
    /// A row newer than this node's state replaces it; a profile this node still slows but
    /// whose row is gone, and whose state did not change while the rows were read, was
    /// ramped back to full speed by another node.
    private func refreshIfDue(now: Int64) {
        guard isShared, let store else { return }
        let last = readAt.load(ordering: .relaxed)
        guard now - last >= Self.sharedRefresh,
            readAt.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged  // one worker reads
        else { return }
        let before = states.withLock { $0.mapValues(\.updatedAt) }
        let stored: [SendPaceRecord]
        do { stored = try store.sendPaces() } catch {
            logger.warning("reading the send paces the nodes share failed: \(error); this node keeps its own until the next read")
            return
        }
        let rows = Dictionary(stored.map { ($0.owner, $0) }, uniquingKeysWith: { first, _ in first })
        states.withLock { states in
            for row in stored where row.updatedAt > states[row.owner]?.updatedAt ?? .min {
                var state = State(row)
                state.nextSlot = max(states[row.owner]?.nextSlot ?? 0, row.pausedUntil)
                states[row.owner] = state
            }
            for (owner, state) in states where rows[owner] == nil && before[owner] == state.updatedAt { states[owner] = nil }
        }
    }

    /// The spacing of sends at `level`: ``PacePolicy/interval`` at level 1 (0.5 s: 120 a minute), doubling per level.
    func interval(level: Int) -> Int64 { level <= 0 ? 0 : RetryPolicy.milliseconds(policy.interval) << Int64(level - 1) }

    /// At most this many connections for `owner`, whose profile allows `base`.
    func connectionLimit(owner: String, base: Int) -> Int {
        let level = states.withLock { $0[owner]?.level ?? 0 }
        return level > 0 ? max(1, base >> level) : base
    }

    /// Takes a send slot for `owner` at `now`: nil to go, or when the next slot opens and why.
    func admit(owner: String, now: Int64) -> (until: Int64, reason: String)? {
        refreshIfDue(now: now)
        return states.withLock { states -> (until: Int64, reason: String)? in
            guard var state = states[owner], state.level > 0 else { return nil }
            if let wait = Self.wait(state, owner: owner, now: now) { return wait }
            state.nextSlot = max(now, state.nextSlot) + interval(level: state.level)
            states[owner] = state
            return nil
        }
    }

    /// When `owner`'s next slot opens and why, nil if it is open now; takes nothing.
    func waiting(owner: String, now: Int64) -> (until: Int64, reason: String)? {
        refreshIfDue(now: now)
        return states.withLock { states in states[owner].flatMap { Self.wait($0, owner: owner, now: now) } }
    }

    private static func wait(_ state: State, owner: String, now: Int64) -> (until: Int64, reason: String)? {
        guard state.level > 0 else { return nil }
        if state.pausedUntil > now { return (state.pausedUntil, "owner \(owner) paused after \(state.reason)") }
        if state.nextSlot > now { return (state.nextSlot, "owner \(owner) slowed to level \(state.level) after \(state.reason)") }
        return nil
    }

    /// Looks at one attempt's replies: a recognised throttle slows `owner`, an acceptance
    /// counts towards ramping back up.
    func observe(_ report: DeliveryReport, owner: String, now: Int64) {
        let replies = [report.outcome.reply].compactMap { $0 } + report.recipients.compactMap(\.reply)
        if let (entry, reply) = replies.lazy.compactMap({ reply in ThrottleReplyTable.match(reply).map { ($0, reply) } }).first {
            throttled(owner: owner, entry: entry, reply: reply, now: now)
        } else if case .sent = report.outcome {
            succeeded(owner: owner, now: now)
        }
    }

    func throttled(owner: String, entry: ThrottleReplyTable.Entry, reply: SMTPReply, now: Int64) {
        let reason = "\(entry.name): \(reply)".prefix(300)
        let change = states.withLock { states -> SendPaceRecord? in
            var state = states[owner] ?? State(level: 0, pausedUntil: 0, reason: "")
            // One burst of throttled replies (parallel sends) is one slowdown, not several.
            if state.level > 0, state.pausedUntil > now { return nil }
            state.level = min(state.level + 1, Self.maximumLevel)
            let pause = min(RetryPolicy.milliseconds(policy.pause ?? entry.pause) << Int64(state.level - 1),
                            RetryPolicy.milliseconds(policy.maximumPause))
            state.pausedUntil = now + pause
            state.nextSlot = state.pausedUntil
            state.reason = String(reason)
            state.successes = 0
            state.updatedAt = now
            states[owner] = state
            return SendPaceRecord(owner: owner, level: state.level, pausedUntil: state.pausedUntil, reason: state.reason, updatedAt: now)
        }
        guard let change else { return }
        let limits = "level \(change.level): half the connections and rate per level, one send every \(Double(interval(level: change.level)) / 1000) s"
        record(change, "slowed: \(entry.provider) says \(entry.meaning) (\(reason)); \(limits); paused \((change.pausedUntil - now) / 1000) s",
               reply: reply)
    }

    func succeeded(owner: String, now: Int64) {
        let change = states.withLock { states -> SendPaceRecord? in
            guard var state = states[owner], state.level > 0 else { return nil }
            state.successes += 1
            guard state.successes >= policy.rampAfter else {
                states[owner] = state
                return nil
            }
            state.level -= 1
            state.successes = 0
            state.updatedAt = now
            if state.level == 0 { states[owner] = nil } else { states[owner] = state }
            return SendPaceRecord(owner: owner, level: state.level, pausedUntil: state.pausedUntil, reason: state.reason, updatedAt: now)
        }
        guard let change else { return }
        let detail = change.level == 0
            ? "ramped up: full speed again after \(policy.rampAfter) accepted messages in a row"
            : "ramped up to level \(change.level) after \(policy.rampAfter) accepted messages in a row: one send every \(Double(interval(level: change.level)) / 1000) s"
        record(change, detail, reply: nil)
    }

    private func record(_ change: SendPaceRecord, _ detail: String, reply: SMTPReply?) {
        logger.notice("owner \(change.owner): \(detail)")
        do {
            try store?.recordPace(change, detail: detail, code: reply?.code, enhancedCode: reply?.enhancedCode?.description)
        } catch {
            logger.error("owner \(change.owner): recording the pace change failed: \(error)")
        }
    }
}
