import Dispatch

/// Runs blocking work (SQLite, a connection probe, a PostgreSQL ledger that waits on its
/// thread) on a dispatch thread, off Swift's concurrency pool and the server's event loops,
/// and waits for it without blocking the caller's task. Throws what `work` throws.
package func offloaded<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
    let result: Result<T, Failure> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: Result { () throws(Failure) -> T in try work() }) }
    }
    return try result.get()
}
