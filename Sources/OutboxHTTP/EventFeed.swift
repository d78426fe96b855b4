import Foundation
import OutboxDaemon
import OutboxStore
import Synchronization

/// Tails the event log for the whole listener: one ``ChangeWatcher`` (a `PRAGMA
/// data_version` on its own connection) is looked at every ``interval``, and only when
/// something was committed are the new events read — once, whatever the number of
/// Server-Sent Events subscribers — and handed to each subscriber and to the metrics.
/// Events are committed by one writer at a time, so ids arrive in order without gaps
/// that fill later.
final class EventFeed: Sendable {
    /// How often the watcher is asked (the engine notices enqueues at the same pace).
    static let interval: Duration = .milliseconds(200)
    /// Events read per query while catching up.
    static let page = 1_000

    private struct State: Sendable {
        var lastID: Int64
        var subscribers: [Int: AsyncStream<[EventRecord]>.Continuation] = [:]
        var nextSubscriber = 0
        var loop: BackgroundLoop?
        var lastHeartbeat = ContinuousClock.now
    }

    /// How often subscribers get a heartbeat (so proxies keep the connection, and a
    /// closed one is noticed).
    static let heartbeat: Duration = .seconds(15)

    private let database: OutboxDatabase
    private let watcher: ChangeWatcher
    private let observe: @Sendable ([EventRecord]) -> Void
    private let state: Mutex<State>

    /// - Parameter observe: sees every new event once, in order (the metrics).
    init(database: OutboxDatabase, observe: @escaping @Sendable ([EventRecord]) -> Void) throws {
        self.database = database
        self.watcher = try ChangeWatcher(path: database.path)
        self.observe = observe
        self.state = Mutex(State(lastID: try database.lastEventID()))
    }

    /// The id of the newest event handed out: where a new subscriber without a cursor starts.
    var lastID: Int64 { state.withLock { $0.lastID } }

    func start() {
        let loop = BackgroundLoop(name: "outbox-http-events", interval: Self.interval) { [self] in tick() }
        state.withLock { $0.loop = loop }
    }

    /// Stops tailing and ends every subscriber's stream.
    func stop() {
        let (loop, subscribers) = state.withLock { state in
            defer { (state.loop, state.subscribers) = (nil, [:]) }
            return (state.loop, state.subscribers)
        }
        loop?.stop()
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

    private func tick() {
        let now = ContinuousClock.now
        let idle = state.withLock { state -> [AsyncStream<[EventRecord]>.Continuation] in
            guard now - state.lastHeartbeat >= Self.heartbeat else { return [] }
            state.lastHeartbeat = now
            return Array(state.subscribers.values)
        }
        for continuation in idle { deliver([], to: continuation) }
        guard watcher.changed() else { return }
        while true {
            let after = lastID
            guard let events = try? database.events(EventFilter(afterID: after, limit: Self.page)), !events.isEmpty else { return }
            let subscribers = state.withLock { state in
                state.lastID = events.last!.id
                return Array(state.subscribers.values)
            }
            observe(events)
            for continuation in subscribers { deliver(events, to: continuation) }
            if events.count < Self.page { return }
        }
    }

    private func deliver(_ events: [EventRecord], to continuation: AsyncStream<[EventRecord]>.Continuation) {
        if case .dropped = continuation.yield(events) { continuation.finish() }
    }
}
