import Foundation
import GRDB

/// Holds the database's write lock from another connection (an open IMMEDIATE
/// transaction) until ``release()``: every write of the code under test blocks meanwhile.
final class WriteLock: @unchecked Sendable {
    private let locked = DispatchSemaphore(value: 0), unlock = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)

    init(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        let thread = Thread { [locked, unlock, done] in
            try? queue.inTransaction(.immediate) { _ in
                locked.signal()
                unlock.wait()
                return .rollback
            }
            done.signal()
        }
        thread.start()
        locked.wait()
    }

    func release() {
        unlock.signal()
        done.wait()
    }
}
