import Dispatch
import Foundation

/// Turns the given signals into values a loop can wait for (SIGTERM, SIGINT, SIGHUP).
final class SignalInbox: @unchecked Sendable {
    private let lock = NSLock()
    private let arrived = DispatchSemaphore(value: 0)
    private var pending: [Int32] = []
    private var sources: [any DispatchSourceSignal] = []

    init(_ signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Blocks until a signal arrives and returns it.
    func wait() -> Int32 {
        arrived.wait()
        lock.lock()
        defer { lock.unlock() }
        return pending.removeFirst()
    }

    private func deliver(_ number: Int32) {
        lock.lock()
        pending.append(number)
        lock.unlock()
        arrived.signal()
    }
}
