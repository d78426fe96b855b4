import Foundation

/// A named thread that runs `body` every `interval` until ``stop()``, which wakes it and
/// returns once the thread has ended (a `body` under way finishes first).
public final class BackgroundLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopping = false  // guarded by `condition`
    private var running = true  // guarded by `condition`

    public init(name: String, interval: Duration, body: @escaping @Sendable () -> Void) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let thread = Thread { [self] in
            condition.lock()
            while !stopping {
                _ = condition.wait(until: Date().addingTimeInterval(seconds))
                if stopping { break }
                condition.unlock()
                body()
                condition.lock()
            }
            running = false
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        thread.start()
    }

    /// Ends the loop and waits for its thread; safe to call more than once.
    public func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
    }
}
