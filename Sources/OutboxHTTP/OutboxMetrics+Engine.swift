import OutboxDaemon
import Prometheus
import Synchronization

/// The running engine's connection pool and group commits on `/metrics`, from the readings
/// the engine keeps under locks it takes anyway (``EngineReadings``): nothing is recorded
/// here per message.
///
/// Connections are labelled by SMTP server (`host:port`), never by login: several owners
/// share one account (the company profile) and several accounts one server, and a login
/// name is often a person's address, which the existing series do not show either.
extension OutboxMetrics {
    enum EngineName {
        typealias Make = OutboxMetrics.Name
        static var open: MetricNameDescriptor { Make.make("connections_open", "", "SMTP connections open in the pool (idle or in use), by server") }
        static var inUse: MetricNameDescriptor { Make.make("connections_in_use", "", "SMTP connections sending a message now, by server") }
        static var idle: MetricNameDescriptor { Make.make("connections_idle", "", "SMTP connections waiting in the pool for the next message, by server") }
        static var limit: MetricNameDescriptor {
            Make.make("connections_limit", "", "Connection cap of the server's accounts (profile max-connections, lowered by throttling), by server")
        }
        static var waits: MetricNameDescriptor { Make.make("connection_waits", "total", "Sends that waited for a connection because their account was at its cap") }
        static var waitSeconds: MetricNameDescriptor {
            Make.make("connection_wait_seconds", "total", "Time sends spent waiting for a connection at the cap")
        }
        static let commitLatency = "outbox_commit_latency_seconds"
        static let commitLatencyHelp = "Time from an outcome handed to the group committer to the end of the transaction that recorded it"
        static let commitBatch = "outbox_commit_batch_outcomes"
        static let commitBatchHelp = "Outcomes recorded per group-commit transaction"
    }

    /// The previous scrape's engine readings, and the commit histograms summed over the
    /// engines of this process (a reload starts a new engine whose figures begin at zero;
    /// what an engine observed after the last scrape before its reload is not counted).
    struct EngineState: Sendable {
        var last: EngineReadings?
        var commitLatency: BucketHistogram?
        var commitBatch: BucketHistogram?
    }

    /// Sets the pool gauges, counts the waits since the previous scrape and returns the commit histograms.
    func refreshEngineReadings(into current: inout Set<GaugeSeries>) -> [HistogramText] {
        guard let readings = engineReadings() else {
            return engineState.withLock { Self.histograms($0) }
        }
        let previous = engineState.withLock { state in
            let previous = state.last?.engine == readings.engine ? state.last : nil
            state.last = readings
            if state.commitLatency == nil { state.commitLatency = BucketHistogram(bounds: readings.commitLatency.bounds) }
            if state.commitBatch == nil { state.commitBatch = BucketHistogram(bounds: readings.commitBatchSize.bounds) }
            state.commitLatency?.add(readings.commitLatency, since: previous?.commitLatency)
            state.commitBatch?.add(readings.commitBatchSize, since: previous?.commitBatchSize)
            return previous
        }
        for use in readings.connections {
            setConnections(use)
            current.insert(.connections(server: use.server))
            let before = previous?.connections.first { $0.server == use.server }
            let labels = [("server", use.server)]
            registry.makeCounter(descriptor: EngineName.waits, labels: labels).increment(by: Int64(use.waits - (before?.waits ?? 0)))
            registry.makeCounter(descriptor: EngineName.waitSeconds, labels: labels).increment(by: use.waitSeconds - (before?.waitSeconds ?? 0))
        }
        return engineState.withLock { Self.histograms($0) }
    }

    /// The four pool gauges of one server.
    func setConnections(_ use: ConnectionUse) {
        let labels = [("server", use.server)]
        registry.makeGauge(descriptor: EngineName.open, labels: labels).set(to: Double(use.open))
        registry.makeGauge(descriptor: EngineName.inUse, labels: labels).set(to: Double(use.inUse))
        registry.makeGauge(descriptor: EngineName.idle, labels: labels).set(to: Double(use.idle))
        registry.makeGauge(descriptor: EngineName.limit, labels: labels).set(to: Double(use.limit))
    }

    private static func histograms(_ state: EngineState) -> [HistogramText] {
        [state.commitLatency.map { HistogramText(name: EngineName.commitLatency, help: EngineName.commitLatencyHelp, histogram: $0) },
         state.commitBatch.map { HistogramText(name: EngineName.commitBatch, help: EngineName.commitBatchHelp, histogram: $0) }].compactMap { $0 }
    }
}

/// A histogram kept outside the registry, in the Prometheus text format (cumulative `le` buckets, `_sum`, `_count`).
struct HistogramText {
    let name: String
    let help: String
    let histogram: BucketHistogram

    func emit(into buffer: inout [UInt8]) {
        var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (index, bound) in histogram.bounds.enumerated() {
            cumulative += histogram.counts[index]
            text += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{le=\"+Inf\"} \(histogram.count)\n\(name)_sum \(histogram.sum)\n\(name)_count \(histogram.count)\n"
        buffer.append(contentsOf: text.utf8)
    }
}
