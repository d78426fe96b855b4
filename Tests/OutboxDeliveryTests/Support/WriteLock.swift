import Foundation
import GRDB
import Synchronization

/// Holds the database's write lock from another connection (an open IMMEDIATE
/// transaction) until ``release()``: every write of the code under test blocks meanwhile.
final class WriteLock: @unchecked Sendable {
    private let locked = DispatchSemaphore(value: 0), unlock = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)

    struct Failed: Error {}

    /// Waits (up to 30 s) for the lock; throws when it cannot be had.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let acquired = Atomic(false)
        let thread = Thread { [locked, unlock, done] in
            try? queue.inTransaction(.immediate) { _ in
                acquired.store(true, ordering: .releasing)
                locked.signal()
                unlock.wait()
                return .rollback
            }
            if !acquired.load(ordering: .acquiring) { locked.signal() }
            done.signal()
        }
        thread.start()
        locked.wait()
        guard acquired.load(ordering: .acquiring) else { throw Failed() }
    }

    func release() {
        unlock.signal()
        done.wait()
    }
}
