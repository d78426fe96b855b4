import Foundation
import Logging
import OutboxCore
public import OutboxStore
import OutboxTransport
import Synchronization

/// Delivers events to the registered webhook endpoints, on threads of its own so that
/// no slow or dead receiver ever holds up mail delivery.
///
/// Each round turns new events into pending deliveries (by each endpoint's cursor in the
/// database) and starts due deliveries on free slots: at most ``WebhookSettings/concurrency``
/// in flight, shared out across endpoints in turn. An endpoint gets more than one at a
/// time only while its last attempt succeeded (a new one, or one whose last attempt failed,
/// gets a single probe), so a slow or dead receiver holds one slot, never all of them. Each
/// POST is signed (``WebhookSignature``) and bounded by ``WebhookSettings/timeout``. A 2xx
/// answer delivers; anything else is retried with backoff until ``WebhookSettings/retry``
/// gives up (`failed`). Every attempt is recorded. Delivery is at-least-once: a receiver
/// that took an event but whose answer was lost gets it again, with the same event id.
///
/// On a shared (PostgreSQL) store every node runs one: each delivery is claimed by one node
/// under a lease of ``lease`` (a node killed mid-delivery leaves it due again when the lease
/// ends), so each event reaches each endpoint once unless an attempt's answer is lost.
public final class WebhookDispatcher: Sendable {
    private let store: any WebhookDispatchStore
    private let settings: WebhookSettings
    private let loop: Mutex<BackgroundLoop?> = Mutex(nil)
    private let flight = Mutex(Flight())
    private let logger = Logger(label: "outbox.webhooks")

    /// The deliveries under way and what the last attempt to each endpoint said.
    private struct Flight {
        /// Delivery id → endpoint id.
        var deliveries: [Int64: Int64] = [:]
        /// Endpoints whose last attempt succeeded: they may have several deliveries in flight.
        var healthy: Set<Int64> = []
        /// Which endpoint is offered free slots first (turns each round).
        var turn = 0
        /// When the event log was last read; it is read once per poll interval (a round woken
        /// by a finished delivery does not take the write lock again), or at once while a backlog lasts.
        var scheduledAt: ContinuousClock.Instant?
        var backlog = false
        /// The last outcome of each delivery attempted, while ``deliverDue(within:)`` runs (nil otherwise).
        var outcomes: [Int64: WebhookOutcome]?
    }

    public init(store: any WebhookDispatchStore, settings: WebhookSettings) {
        self.store = store
        self.settings = settings
    }

    /// How long a claimed delivery is this node's: the attempt's timeout, and time to record
    /// it. On a shared store another node takes the delivery over when it ends unrecorded.
    var lease: Duration { settings.timeout + Self.recordingMargin }

    /// The time a finished attempt has to be recorded before its lease ends.
    static let recordingMargin: Duration = .seconds(30)

    /// Starts the dispatch thread.
    public func start() {
        let loop = BackgroundLoop(name: "outbox-webhooks", interval: settings.pollInterval, untilIdle: { [self] in round() })
        self.loop.withLock { $0 = loop }
    }

    /// Stops starting deliveries and waits for those under way (at most one timeout).
    public func stop() {
        loop.withLock { $0 }?.stop()
        let deadline = ContinuousClock.now + settings.timeout + .seconds(2)
        while !flight.withLock({ $0.deliveries.isEmpty }), ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// `serve --once`: delivers the deliveries due now — of the events written so far, and
    /// again those that fail while retries fall due within `limit` — then waits for those
    /// under way (at most one timeout more). What is left stays pending for the next `serve`.
    public func deliverDue(within limit: Duration) -> WebhookTally {
        let deadline = ContinuousClock.now + limit
        flight.withLock { $0.outcomes = [:] }
        while ContinuousClock.now < deadline {
            let (more, launched) = step()
            let busy = !flight.withLock { $0.deliveries.isEmpty }
            if !more && launched == 0 && !busy { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop()
        return flight.withLock { flight in
            defer { flight.outcomes = nil }
            return WebhookTally(flight.outcomes?.values.map { $0 } ?? [])
        }
    }

    /// One round; true when a backlog of events is being read and slots are still free. A
    /// finished delivery wakes the loop for the next round.
    func round() -> Bool { step().more }

    /// One round; `more` as ``round()`` says, `launched` the deliveries it started.
    private func step() -> (more: Bool, launched: Int) {
        let now = OutboxDatabase.milliseconds(Date())
        let started = ContinuousClock.now
        let (busy, healthy, turn, schedule) = flight.withLock { flight in
            defer { flight.turn &+= 1 }
            let due = flight.backlog || flight.scheduledAt.map { started - $0 >= settings.pollInterval } ?? true
            return (flight.deliveries, flight.healthy, flight.turn, due)
        }
        var free = settings.concurrency - busy.count
        var backlog = false
        var launched = 0
        do {
            guard try store.hasWebhooks() else { return (false, 0) }
            if schedule {
                backlog = try store.scheduleWebhookDeliveries(now: now, limit: Self.scheduleLimit).more
                flight.withLock { ($0.scheduledAt, $0.backlog) = (started, backlog) }
            }
            guard free > 0 else { return (false, 0) }
            let endpoints = try store.webhookEndpointIDs()
            guard !endpoints.isEmpty else { return (false, 0) }
            let first = turn % endpoints.count
            for endpoint in endpoints[first...] + endpoints[..<first] where free > 0 {
                let cap = healthy.contains(endpoint) ? settings.concurrency : 1
                let share = min(free, cap - busy.values.filter { $0 == endpoint }.count)
                guard share > 0 else { continue }
                let due = try store.claimDueWebhookDeliveries(endpointID: endpoint, now: now, limit: share, busy: Set(busy.keys), lease: lease)
                due.forEach(launch)
                free -= due.count
                launched += due.count
            }
        } catch {
            logger.error("webhooks: reading due deliveries failed: \(error); trying again in \(settings.pollInterval)")
            return (false, launched)
        }
        return (backlog && free > 0, launched)
    }

    /// Events read per endpoint per round.
    static let scheduleLimit = 1000

    /// Sends one delivery on a thread of its own; when it ends, the loop looks for more at once.
    private func launch(_ dispatch: WebhookDispatch) {
        flight.withLock { $0.deliveries[dispatch.deliveryID] = dispatch.endpointID }
        let thread = Thread { [self] in
            let outcome = deliver(dispatch)
            let delivered = outcome == .delivered
            flight.withLock { flight in
                flight.deliveries[dispatch.deliveryID] = nil
                flight.outcomes?[dispatch.deliveryID] = outcome
                if delivered { flight.healthy.insert(dispatch.endpointID) } else { flight.healthy.remove(dispatch.endpointID) }
            }
            loop.withLock { $0 }?.wake()
        }
        thread.name = "outbox-webhook"
        thread.start()
    }

    /// One attempt, recorded; what became of the delivery.
    private func deliver(_ dispatch: WebhookDispatch) -> WebhookOutcome {
        let started = ContinuousClock.now
        var status: Int?
        var problem: String?
        if let event = dispatch.event, let secret = dispatch.secret {
            do {
                var post = try request(event, secret: secret, url: dispatch.url)
                post.allowsPlainHTTP = dispatch.allowsPlainHTTP
                let response = try HTTPClient.perform(post)
                status = response.status
                if !response.isSuccess { problem = "HTTP \(response.status)" + Self.excerpt(response.text) }
            } catch {
                problem = "\(error)"
            }
        } else {
            problem = dispatch.event == nil ? "the event was purged from the log before it was delivered" : dispatch.secretProblem
        }
        let latency = started.duration(to: .now)
        let now = OutboxDatabase.milliseconds(Date())
        let outcome: WebhookOutcome
        if problem == nil {
            outcome = .delivered
        } else if dispatch.event == nil {
            outcome = .failed
        } else {
            switch settings.retry.decide(afterAttempt: dispatch.attempts + 1, createdAt: dispatch.createdAt, now: now, random: Double.random(in: 0..<1)) {
            case .retry(let at): outcome = .retry(at: at)
            case .giveUp: outcome = .failed
            }
        }
        do {
            try store.recordWebhookAttempt(deliveryID: dispatch.deliveryID, at: now, status: status,
                                              latencyMilliseconds: RetryPolicy.milliseconds(latency), error: problem, outcome: outcome)
        } catch {
            logger.error("webhooks: recording attempt of delivery \(dispatch.deliveryID) failed: \(error); it is sent again")
        }
        if outcome == .failed {
            let event = dispatch.event.map { String($0.id) } ?? "(purged)"
            logger.warning("webhooks: gave up delivery \(dispatch.deliveryID) of event \(event) to endpoint \(dispatch.endpointID) after \(dispatch.attempts + 1) attempt(s): \(problem ?? "")")
        }
        return outcome
    }

    private func request(_ event: WebhookEvent, secret: String, url: String) throws -> HTTPRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = [UInt8](try encoder.encode(event))
        let timestamp = OutboxDatabase.milliseconds(Date()) / 1000
        return HTTPRequest(
            method: .post, url: url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "Outbox-Webhooks/1"),
                ("Outbox-Event-Id", String(event.id)), ("Outbox-Event-Kind", event.kind),
                (WebhookSignature.headerName, WebhookSignature.header(secret: secret, timestamp: timestamp, body: body)),
            ],
            body: body, connectTimeout: min(settings.timeout, .seconds(5)), totalTimeout: settings.timeout,
            maximumResponseBytes: 64 * 1024)
    }

    /// `: first 200 characters` of a response body, for the attempt's error.
    private static func excerpt(_ text: String) -> String {
        let line = text.prefix(200).filter { !$0.isNewline }
        return line.isEmpty ? "" : ": " + line
    }
}

/// What the attempts of a ``WebhookDispatcher/deliverDue(within:)`` came to.
public struct WebhookTally: Sendable, Hashable, CustomStringConvertible {
    /// Deliveries the receiver took (2xx).
    public var delivered = 0
    /// Deliveries whose attempt failed and which are tried again later (by the next `serve`).
    public var retrying = 0
    /// Deliveries given up (`failed`).
    public var failed = 0

    init(_ outcomes: [WebhookOutcome]) {
        for outcome in outcomes {
            switch outcome {
            case .delivered: delivered += 1
            case .retry: retrying += 1
            case .failed: failed += 1
            }
        }
    }

    public var description: String { "\(delivered) delivered, \(retrying) to retry later, \(failed) given up" }
}
