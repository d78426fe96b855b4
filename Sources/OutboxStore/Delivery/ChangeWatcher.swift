import Synchronization
import GRDB

/// Notices commits by any connection or process, cheaply: `PRAGMA data_version` on one
/// dedicated read-only connection changes whenever another connection commits.
public final class ChangeWatcher: Sendable {
    private let queue: DatabaseQueue
    private let last: Mutex<Int64>

    /// Opens the watcher's own connection to the database at `path`.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            last = Mutex(try queue.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 })
        } catch {
            throw StoreError(.cannotOpenDatabase, "cannot watch database \(path): \(error)")
        }
    }

    /// True when another connection committed since the previous call.
    public func changed() -> Bool {
        guard let version = try? queue.inDatabase({ db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }) else { return true }
        return last.withLock { last in
            defer { last = version }
            return last != version
        }
    }
}
