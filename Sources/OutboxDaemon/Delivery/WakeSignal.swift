import Foundation

/// Wakes idle workers: a generation counter under a condition. A worker reads the
/// generation before it looks for work and sleeps only while it is unchanged, so a wake
/// between the look and the sleep is never lost.
final class WakeSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var generation = 0  // guarded by `condition`

    var current: Int {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }

    func wakeAll() {
        condition.lock()
        generation += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps until the generation moves past `seen` or until `deadline`.
    func wait(since seen: Int, until deadline: Date) {
        condition.lock()
        defer { condition.unlock() }
        while generation == seen, condition.wait(until: deadline) {}
    }
}
