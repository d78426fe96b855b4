import Foundation
import Synchronization

/// The SQLite ``ChangeWatch``: a thread that looks at ``ChangeWatcher`` (`PRAGMA
/// data_version`) every interval and calls `onChange` when another connection committed.
final class DataVersionWatch: ChangeWatch {
    private let stopping = Atomic<Bool>(false)
    private let ended = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    init(path: String, interval: Int64, onChange: @escaping @Sendable () -> Void) throws(StoreError) {
        let watcher = Mutex<ChangeWatcher?>(try ChangeWatcher(path: path))
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: Double(max(1, interval)) / 1000)
                if watcher.withLock({ $0?.changed() ?? false }) { onChange() }
            }
            watcher.withLock { $0 = nil }  // closes its connection
            ended.signal()
        }
        thread.name = "outbox-watch"
        thread.start()
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        if !stopped.exchange(true, ordering: .acquiringAndReleasing) { ended.wait() }
    }
}
