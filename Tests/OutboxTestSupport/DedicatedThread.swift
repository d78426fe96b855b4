import Foundation

/// Runs blocking `work` on a thread of its own and suspends the task until it returns: for
/// setup that has to block (starting a server, a synchronous API), so that it never holds
/// one of the few threads of Swift's cooperative pool that other tests are waiting for.
public func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
