import Dispatch
import Foundation
import Synchronization

/// Runs slow checks (network logins) side by side, each on its own thread, and waits for
/// them at most until a deadline: a check still running then is reported by the caller
/// as unanswered, so `outbox doctor` ends in bounded time whatever a server does.
enum BoundedWork {
    /// The results in the order of `jobs`; nil for a job that had not finished by `deadline`.
    static func run<Result: Sendable>(_ jobs: [@Sendable () -> Result], within limit: Duration) -> [Result?] {
        let results = Mutex<[Result?]>(Array(repeating: nil, count: jobs.count))
        let group = DispatchGroup()
        for (index, job) in jobs.enumerated() {
            group.enter()
            Thread.detachNewThread {
                let result = job()
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        _ = group.wait(timeout: .now() + seconds)
        return results.withLock { $0 }
    }
}
