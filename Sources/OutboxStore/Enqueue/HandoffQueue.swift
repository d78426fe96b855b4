import Foundation

/// A bounded queue between one producer thread and one consumer. The producer blocks
/// when it is full; either side can stop the other with ``fail(_:)``.
final class HandoffQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [[Element]] = []
    private var finished = false
    private var failure: (any Error)?
    private let capacity: Int

    /// - Parameter capacity: chunks held at most before the producer waits.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Chunks waiting for the consumer.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    /// Producer: hands over a chunk; throws the failure once the consumer has given up.
    func push(_ chunk: [Element]) throws {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        items.append(chunk)
        condition.broadcast()
    }

    /// Producer: no more chunks.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Either side: stop with `error`; the other side sees it at its next call.
    func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: the next chunk, nil at the end; throws the producer's failure.
    func pop() throws -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished && failure == nil { condition.wait() }
        if let failure { throw failure }
        if items.isEmpty { return nil }
        condition.broadcast()
        return items.removeFirst()
    }
}
