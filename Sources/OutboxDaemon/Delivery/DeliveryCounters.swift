import Synchronization

/// Thread-safe tallies behind a ``DeliverySummary``.
final class DeliveryCounters: Sendable {
    private let state = Mutex(DeliverySummary())

    func add(_ change: (inout DeliverySummary) -> Void) { state.withLock { change(&$0) } }

    var summary: DeliverySummary { state.withLock { $0 } }
}
