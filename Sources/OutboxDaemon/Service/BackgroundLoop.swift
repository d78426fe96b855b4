import Foundation

/// A named thread that runs `body` every `interval` until ``stop()``, which wakes it and
/// returns once the thread has ended (a `body` under way finishes first).
public final class BackgroundLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopping = false  // guarded by `condition`
    private var running = true  // guarded by `condition`
    private var woken = false  // guarded by `condition`

    public convenience init(name: String, interval: Duration, body: @escaping @Sendable () -> Void) {
        self.init(name: name, interval: interval, untilIdle: { body(); return false })
    }

    /// Runs `body` again at once while it returns true (it has more to do), else after `interval`.
    init(name: String, interval: Duration, untilIdle body: @escaping @Sendable () -> Bool) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let thread = Thread { [self] in
            condition.lock()
            var busy = false
            while !stopping {
                if !busy && !woken { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
                woken = false
                if stopping { break }
                condition.unlock()
                busy = body()
                condition.lock()
            }
            running = false
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        thread.start()
    }

    /// Runs `body` now instead of at the end of the interval (once, however often it is called meanwhile).
    func wake() {
        condition.lock()
        defer { condition.unlock() }
        woken = true
        condition.broadcast()
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
