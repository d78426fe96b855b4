import Foundation
import Logging
public import OutboxStore
public import OutboxTransport

/// Reads the bounce mailbox every `interval` on a thread of its own: each message is
/// recorded (``OutboxDatabase/ingestBounce(raw:source:now:suppressHardBounces:parser:)``)
/// and only then deleted from the mailbox; anything not recorded stays for the next poll.
public final class BounceMailboxPoller: @unchecked Sendable {
    private let database: OutboxDatabase
    private let endpoint: MailboxEndpoint
    private let interval: Duration
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    private let logger = Logger(label: "outbox.bounces")

    public init(database: OutboxDatabase, endpoint: MailboxEndpoint, interval: Duration) {
        self.database = database
        self.endpoint = endpoint
        self.interval = interval
    }

    /// Starts polling (the first poll right away).
    public func start() {
        Thread { [self] in
            while !isStopping {
                pollOnce()
                _ = wake.wait(timeout: .now() + .milliseconds(Int(interval.components.seconds) * 1000))
            }
            finished.signal()
        }.start()
    }

    /// Stops after the poll in progress, if any, and waits for it.
    public func stop() {
        lock.withLock { stopping = true }
        wake.signal()
        finished.wait()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func pollOnce() {
        do {
            let result = try MailboxDrain.run(endpoint) { id, bytes in
                _ = try database.ingestBounce(raw: bytes, source: "\(endpoint.displayURL) \(endpoint.kind == .imap ? "uid" : "message") \(id)",
                                              now: OutboxDatabase.milliseconds(Date()))
            }
            if result.recorded > 0 { logger.info("bounce mailbox: \(result.recorded) message(s) recorded") }
            if let reason = result.stoppedBecause { logger.warning("bounce mailbox poll stopped early: \(reason); the rest stay in the mailbox") }
        } catch {
            logger.warning("bounce mailbox \(endpoint.displayURL): \(error.reason)")
        }
    }
}
