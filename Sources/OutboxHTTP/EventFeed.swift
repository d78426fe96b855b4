import Foundation
import OutboxDaemon
import OutboxStore
import Synchronization

/// Tails the event log for the whole listener and hands new events — read once, whatever
/// the number of Server-Sent Events subscribers — to each subscriber and to the metrics.
///
/// - SQLite (``Source/local(_:)``): one ``ChangeWatcher`` (a `PRAGMA data_version` on its own
///   connection) is looked at every ``interval`` on a thread of its own, and only when
///   something was committed are the new events read. Events are committed by one writer
///   at a time, so ids arrive in order without gaps that fill later.
/// - A store shared by several nodes (``Source/shared(_:)``, PostgreSQL): the log is read
///   after the last id every ``interval`` from a task, so events other nodes record are
///   seen too. There an id is drawn before its transaction commits, so a lower id may
///   become visible after a higher one: events after a gap are held back until the gap
///   fills, or for at most ``settle`` (a rolled-back transaction leaves a gap for good).
///   Subscribers thus always get events in id order, and ``lastID`` is a horizon below
///   which nothing more will appear.
final class EventFeed: Sendable {
    /// Where the events come from.
    enum Source: Sendable {
        case local(OutboxDatabase)
        case shared(any APIStore)
    }

    /// How often the watcher is asked or the shared log read (the engine notices enqueues at the same pace).
    static let interval: Duration = .milliseconds(200)
    /// Events read per query while catching up.
    static let page = 1_000
    /// How long events after a gap in the ids of a shared store wait for the gap to fill.
    static let settle = EventGapHoldBack.settle

    private struct State: Sendable {
        var lastID: Int64
        var subscribers: [Int: AsyncStream<[EventRecord]>.Continuation] = [:]
        var nextSubscriber = 0
        var loop: BackgroundLoop?
        var task: Task<Void, Never>?
        var lastHeartbeat = ContinuousClock.now
        /// A shared store's gaps in the event ids.
        var holdBack = EventGapHoldBack()
    }

    /// How often subscribers get a heartbeat (so proxies keep the connection, and a
    /// closed one is noticed).
    static let heartbeat: Duration = .seconds(15)

    private let source: Source
    private let watcher: ChangeWatcher?
    private let observe: @Sendable (_ events: [EventRecord], _ enqueuedAt: [Int64: Int64]) -> Void
    private let state: Mutex<State>

    /// - Parameter observe: sees every new event once, in order, with the enqueue times of
    ///   the messages of its `sent` events (the metrics).
    init(source: Source, observe: @escaping @Sendable (_ events: [EventRecord], _ enqueuedAt: [Int64: Int64]) -> Void) throws {
        self.source = source
        var lastID: Int64 = 0
        if case .local(let database) = source {
            watcher = try ChangeWatcher(path: database.path)
            lastID = try database.lastEventID()
        } else {
            watcher = nil
        }
        self.observe = observe
        self.state = Mutex(State(lastID: lastID))
    }

    /// A shared store: reads where the log ends now; call before any request is served.
    func findEnd() async throws {
        guard case .shared(let store) = source else { return }
        let lastID = try await store.lastEventID()
        state.withLock { $0.lastID = lastID }
    }

    /// The id of the newest event handed out: where a new subscriber without a cursor starts.
    var lastID: Int64 { state.withLock { $0.lastID } }

    func start() {
        switch source {
        case .local(let database):
            let loop = BackgroundLoop(name: "outbox-http-events", interval: Self.interval) { [self] in tick(database) }
            state.withLock { $0.loop = loop }
        case .shared(let store):
            let task = Task { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.interval)
                    sendHeartbeats()
                    await follow(store)
                }
            }
            state.withLock { $0.task = task }
        }
    }

    /// Stops tailing and ends every subscriber's stream.
    func stop() {
        let (loop, task, subscribers) = state.withLock { state in
            defer { (state.loop, state.task, state.subscribers) = (nil, nil, [:]) }
            return (state.loop, state.task, state.subscribers)
        }
        loop?.stop()
        task?.cancel()
        for continuation in subscribers.values { continuation.finish() }
    }

    /// A stream of the events committed from now on, in id order. It ends when the
    /// subscriber stops reading it (the connection closed) or the feed stops. A slow
    /// subscriber's backlog is bounded: past it, the stream ends after what it holds (no
    /// event skipped), and the client resumes with `Last-Event-ID`. An empty array is a
    /// heartbeat, every ``heartbeat``.
    func subscribe() -> AsyncStream<[EventRecord]> {
        let (stream, continuation) = AsyncStream<[EventRecord]>.makeStream(bufferingPolicy: .bufferingOldest(64))
        let id = state.withLock { state in
            defer { state.nextSubscriber += 1 }
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// SQLite: reads only after a commit, on the loop's thread.
    private func tick(_ database: OutboxDatabase) {
        sendHeartbeats()
        guard watcher?.changed() == true else { return }
        while true {
            guard let events = try? database.events(EventFilter(afterID: lastID, limit: Self.page)), !events.isEmpty else { return }
            let enqueued = (try? database.enqueueTimes(messageIDs: Self.sentMessageIDs(events))) ?? [:]
            publish(events, enqueued: enqueued)
            if events.count < Self.page { return }
        }
    }

    /// A shared store: reads after the horizon and publishes what is settled.
    private func follow(_ store: any APIStore) async {
        while !Task.isCancelled {
            guard let events = try? await store.events(EventFilter(afterID: lastID, limit: Self.page)), !events.isEmpty else { return }
            let ready = settled(events, now: .now)
            guard !ready.isEmpty else { return }
            let enqueued = (try? await store.enqueueTimes(messageIDs: Self.sentMessageIDs(ready))) ?? [:]
            publish(ready, enqueued: enqueued)
            if ready.count < events.count || events.count < Self.page { return }
        }
    }

    /// The leading events of `events` (read after ``lastID``, in id order) that may be handed
    /// out: up to the first gap in the ids that is younger than ``settle``.
    func settled(_ events: [EventRecord], now: ContinuousClock.Instant) -> [EventRecord] {
        state.withLock { state in state.holdBack.settled(events, after: state.lastID, now: now) }
    }

    private func publish(_ events: [EventRecord], enqueued: [Int64: Int64]) {
        let subscribers = state.withLock { state in
            state.lastID = events.last!.id
            return Array(state.subscribers.values)
        }
        observe(events, enqueued)
        for continuation in subscribers { deliver(events, to: continuation) }
    }

    private func sendHeartbeats() {
        let now = ContinuousClock.now
        let idle = state.withLock { state -> [AsyncStream<[EventRecord]>.Continuation] in
            guard now - state.lastHeartbeat >= Self.heartbeat else { return [] }
            state.lastHeartbeat = now
            return Array(state.subscribers.values)
        }
        for continuation in idle { deliver([], to: continuation) }
    }

    /// The messages of the `sent` events among `events`.
    static func sentMessageIDs(_ events: [EventRecord]) -> [Int64] {
        events.filter { $0.kind == "sent" }.compactMap(\.messageID)
    }

    private func deliver(_ events: [EventRecord], to continuation: AsyncStream<[EventRecord]>.Continuation) {
        if case .dropped = continuation.yield(events) { continuation.finish() }
    }
}
