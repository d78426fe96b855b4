import Dispatch
import Foundation
import Synchronization

/// Turns the given signals into values a loop can wait for (SIGTERM, SIGINT, SIGHUP). The
/// signals' default actions are ignored from ``init(_:)`` on: create it before the service starts.
public final class SignalInbox: @unchecked Sendable {  // unchecked: the dispatch sources, set once in init
    private let pending = Mutex<[Int32]>([])
    private let arrived = DispatchSemaphore(value: 0)
    private var sources: [any DispatchSourceSignal] = []

    public init(_ signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Blocks until a signal arrives and returns it.
    public func wait() -> Int32 {
        arrived.wait()
        return pending.withLock { $0.removeFirst() }
    }

    /// Hands in `number` as if it had arrived (in-process tests, an API's stop request).
    public func deliver(_ number: Int32) {
        pending.withLock { $0.append(number) }
        arrived.signal()
    }
}
