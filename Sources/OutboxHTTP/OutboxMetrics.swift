import Foundation
import OutboxDaemon
import OutboxStore
import Prometheus
import Synchronization

/// `/metrics` in the Prometheus text format, from what the outbox already keeps:
///
/// - the live counts table and the profile holds, read when scraped (gauges);
/// - the event log as the listener's ``EventFeed`` reads it anyway (counters of sends,
///   deferrals, failures, bounces; enqueue-to-sent latency) — nothing is added to the
///   delivery path, and counters start at zero when the listener starts;
/// - the running engine's own tallies (rate-limit waits, profile holds) and readings
///   (connection pool use, commit latency), read when scraped (see `OutboxMetrics+Engine.swift`).
final class OutboxMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let store: any APIStore
    private let engineSummary: @Sendable () -> DeliverySummary?
    let engineReadings: @Sendable () -> EngineReadings?
    /// The gauge series set at the previous scrape, to zero those that vanished.
    private let lastGauges = Mutex<Set<GaugeSeries>>([])
    private let lastEngine = Mutex(DeliverySummary())
    /// The engine readings seen at the previous scrape and the histograms summed over engines.
    let engineState = Mutex(EngineState())
    private let latency: DurationHistogram

    /// The metric names, per Prometheus conventions (`outbox_…`, unit or `_total` last).
    enum Name {
        static func make(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "outbox", metricName: name, unitName: unit, helpText: help)
        }
        static var sent: MetricNameDescriptor { make("messages_sent", "total", "Messages sent") }
        static var deferred: MetricNameDescriptor { make("messages_deferred", "total", "Attempts deferred for a retry") }
        static var failed: MetricNameDescriptor { make("messages_failed", "total", "Messages failed for good, by reason") }
        static var bounces: MetricNameDescriptor { make("bounces", "total", "Bounces received, by reason and severity") }
        static var suppressed: MetricNameDescriptor { make("recipients_suppressed", "total", "Recipients not sent to because they are suppressed") }
        static var latency: MetricNameDescriptor { make("delivery_latency", "seconds", "Time from enqueue to the sent event, per message sent") }
        static var queue: MetricNameDescriptor { make("queue", "messages", "Messages by owner and state") }
        static var oldest: MetricNameDescriptor { make("oldest_queued_age", "seconds", "Age of the oldest queued message") }
        static var held: MetricNameDescriptor { make("profile_held", "", "1 while the owner's profile is held") }
        static var rateLimitWaits: MetricNameDescriptor { make("rate_limit_waits", "total", "Sends postponed by a profile's rate limit") }
        static var holds: MetricNameDescriptor { make("profile_holds", "total", "Times a profile was held after an authentication or configuration problem") }
    }

    static let latencyBuckets: [Duration] = [1, 5, 15, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600].map { .seconds($0) }

    init(store: any APIStore, engineSummary: @escaping @Sendable () -> DeliverySummary?,
         engineReadings: @escaping @Sendable () -> EngineReadings? = { nil }) {
        self.store = store
        self.engineSummary = engineSummary
        self.engineReadings = engineReadings
        latency = registry.makeDurationHistogram(descriptor: Name.latency, buckets: Self.latencyBuckets)
    }

    /// Counts new events (called by the feed, in order, once per event); `enqueuedAt` has the
    /// enqueue times of the messages of the `sent` events.
    func observe(_ events: [EventRecord], enqueuedAt enqueued: [Int64: Int64]) {
        for event in events {
            let owner = event.owner ?? ""
            switch event.kind {
            case "sent":
                registry.makeCounter(descriptor: Name.sent, labels: [("owner", owner)]).increment()
            case "deferred":
                registry.makeCounter(descriptor: Name.deferred, labels: [("owner", owner)]).increment()
            case "failed", "expired":
                registry.makeCounter(descriptor: Name.failed, labels: [("owner", owner), ("reason", Self.failureReason(event))]).increment()
            case "bounced":
                registry.makeCounter(descriptor: Name.bounces, labels: [("owner", owner), ("reason", event.reason ?? "unknown"),
                                                                         ("severity", event.severity ?? "unknown")]).increment()
            case "suppressed":
                registry.makeCounter(descriptor: Name.suppressed, labels: [("owner", owner)]).increment()
            default:
                break
            }
        }
        for (id, at) in events.filter({ $0.kind == "sent" }).compactMap({ event in event.messageID.map { ($0, event.at) } }) {
            if let created = enqueued[id] { latency.recordNanoseconds(max(0, at - created) * 1_000_000) }
        }
    }

    /// `failed` events carry a bounce reason when one is known, else the SMTP class.
    static func failureReason(_ event: EventRecord) -> String {
        OutcomeOverview.reasonLabel(kind: event.kind, reason: event.reason, code: event.code)
    }

    /// The exposition, with the gauges read now.
    func scrape() async -> [UInt8] {
        async let status = try? store.status()
        async let health = try? store.queueHealth(now: OutboxDatabase.milliseconds(Date()))
        let histograms = refreshGauges(status: await status, health: await health)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        for histogram in histograms { histogram.emit(into: &buffer) }
        return buffer
    }

    /// A gauge series that is set at each scrape while what it shows exists.
    enum GaugeSeries: Hashable {
        case queue(owner: String, state: String)
        case held(owner: String)
        case connections(server: String)
    }

    /// Sets the gauges and counts the engine's tallies; returns the histograms this registry does not hold.
    private func refreshGauges(status: OutboxStatus?, health: QueueHealth?) -> [HistogramText] {
        var current = Set<GaugeSeries>()
        if let status {
            for count in status.counts {
                registry.makeGauge(descriptor: Name.queue, labels: [("owner", count.owner), ("state", count.state)]).set(to: Double(count.count))
                current.insert(.queue(owner: count.owner, state: count.state))
            }
            let age = status.oldestQueuedAt.map { Double(OutboxDatabase.milliseconds(Date()) - $0) / 1000 } ?? 0
            registry.makeGauge(descriptor: Name.oldest).set(to: max(0, age))
        }
        if let health {
            for hold in health.holds {
                registry.makeGauge(descriptor: Name.held, labels: [("owner", hold.owner)]).set(to: 1)
                current.insert(.held(owner: hold.owner))
            }
        }
        let histograms = refreshEngineReadings(into: &current)
        let vanished = lastGauges.withLock { last in
            defer { last = current }
            return last.subtracting(current)
        }
        for series in vanished {
            switch series {
            case .queue(let owner, let state): registry.makeGauge(descriptor: Name.queue, labels: [("owner", owner), ("state", state)]).set(to: 0)
            case .held(let owner): registry.makeGauge(descriptor: Name.held, labels: [("owner", owner)]).set(to: 0)
            case .connections(let server): setConnections(ConnectionUse(server: server))
            }
        }
        if let summary = engineSummary() {
            let previous = lastEngine.withLock { last in
                defer { last = summary }
                return last
            }
            // A reload starts a new engine whose tallies begin at zero again.
            let delta = { (now: Int, before: Int) in Int64(now >= before ? now - before : now) }
            registry.makeCounter(descriptor: Name.rateLimitWaits)
                .increment(by: delta(summary.rateLimited, previous.rateLimited))
            registry.makeCounter(descriptor: Name.holds)
                .increment(by: delta(summary.held, previous.held))
        }
        return histograms
    }
}
