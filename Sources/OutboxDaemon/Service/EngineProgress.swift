import Synchronization

/// When each of the engine's threads began the step it is in — a claim, one message, a
/// group commit. Idle waits are no step. The service's watchdog pings only while no step
/// has lasted longer than its stall limit, so `WatchdogSec=` restarts a wedged engine.
final class EngineProgress: Sendable {
    private let steps = Mutex<[String: ContinuousClock.Instant]>([:])

    /// `thread` starts a step now (ending the one it was in).
    func begin(_ thread: String) {
        let now = ContinuousClock.now
        steps.withLock { $0[thread] = now }
    }

    /// `thread` is idle.
    func end(_ thread: String) {
        _ = steps.withLock { $0.removeValue(forKey: thread) }
    }

    /// The threads whose step has lasted longer than `limit`, with how long, longest first.
    func stalled(longerThan limit: Duration, now: ContinuousClock.Instant = .now) -> [(thread: String, running: Duration)] {
        steps.withLock { steps in
            steps.map { (thread: $0.key, running: now - $0.value) }.filter { $0.running > limit }.sorted { $0.running > $1.running }
        }
    }
}
