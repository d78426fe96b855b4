import Foundation
import Logging
import OutboxCore
import OutboxStore
import OutboxTransport
import Synchronization

/// Appends sent messages to their owners' IMAP folders off the send path: workers hand a
/// copy in only after the `sent` outcome is committed, and never wait for it. One thread
/// works through a bounded queue; a failed append is tried again after each of
/// ``DeliveryConfiguration/sentCopyRetryDelays``, then given up with a `sent-copy-failed`
/// event. A copy never touches the message's state: the mail is never sent again for it.
final class SentCopier: Sendable {
    private let recorder: any SentCopyRecorder
    private let retryDelays: [Duration]
    private let capacity: Int
    private let state = Mutex(State())
    private let wake = WakeSignal()
    private let finished = DispatchSemaphore(value: 0)
    private let logger = Logger(label: "outbox.sent-copy")

    private struct State {
        var waiting: [Pending] = []
        /// Copies refused because the queue was full, to record as failed.
        var refused: [SentCopyJob] = []
        var started = false
        /// Set by ``finish(within:)``: copy what is due until then, then give up the rest.
        var deadline: Date?
    }

    private struct Pending {
        let job: SentCopyJob
        var attempts: Int
        var due: Date
    }

    init(recorder: any SentCopyRecorder, retryDelays: [Duration], capacity: Int) {
        self.recorder = recorder
        self.retryDelays = retryDelays
        self.capacity = max(1, capacity)
    }

    /// Queues a copy; returns at once. Over capacity, the copy is given up (with an event).
    func submit(_ job: SentCopyJob) {
        state.withLock { state in
            if state.waiting.count >= capacity { state.refused.append(job) } else { state.waiting.append(Pending(job: job, attempts: 0, due: Date())) }
        }
        wake.wakeAll()
    }

    /// Starts the copying thread (once).
    func start() {
        guard state.withLock({ state in
            defer { state.started = true }
            return !state.started
        }) else { return }
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "outbox-sent-copy"
        thread.start()
    }

    /// Copies what can be copied within `grace` (retries included) and gives up the rest
    /// with `sent-copy-failed` events. Returns when the thread has ended, or at the latest
    /// shortly after `grace` (an append still running then is left to its own timeout).
    func finish(within grace: Duration) {
        let seconds = Double(RetryPolicy.milliseconds(grace)) / 1000
        let deadline = Date().addingTimeInterval(seconds)
        let started = state.withLock { state in
            state.deadline = deadline
            return state.started
        }
        guard started else { return }
        wake.wakeAll()
        if finished.wait(timeout: .now() + seconds + 1) == .timedOut {
            logger.warning("a copy to an IMAP folder was still running when the daemon stopped")
            giveUpWaiting(reason: "not copied: the daemon stopped before the copy could be made")
        }
    }

    private func run() {
        while true {
            let seen = wake.current
            let (next, refused, deadline) = state.withLock { state -> (Pending?, [SentCopyJob], Date?) in
                let refused = state.refused
                state.refused = []
                let now = Date()
                guard let index = state.waiting.indices.min(by: { state.waiting[$0].due < state.waiting[$1].due }),
                    state.waiting[index].due <= now
                else { return (nil, refused, state.deadline) }
                return (state.waiting.remove(at: index), refused, state.deadline)
            }
            for job in refused { record(job, copied: false, "not copied: \(capacity) copies were already waiting") }
            if let next {
                attempt(next)
                continue
            }
            let earliest = state.withLock { $0.waiting.map(\.due).min() }
            if let deadline {
                if earliest == nil || earliest! > deadline || Date() >= deadline {
                    giveUpWaiting(reason: "not copied: the daemon stopped before the copy could be made")
                    return
                }
            }
            wake.wait(since: seen, until: [earliest, deadline, Date().addingTimeInterval(60)].compactMap { $0 }.min()!)
        }
    }

    private func attempt(_ pending: Pending) {
        let job = pending.job
        let endpoint: MailboxEndpoint
        switch job.target {
        case .failure(let error):
            return record(job, copied: false, "not copied: \(error.reason)")
        case .success(let value):
            endpoint = value
        }
        do {
            try IMAPAppend.append(job.bytes, to: endpoint)
            record(job, copied: true, "copied to \(endpoint.displayURL)")
        } catch {
            let attempts = pending.attempts + 1
            guard attempts <= retryDelays.count else {
                return record(job, copied: false, "not copied to \(endpoint.displayURL) after \(attempts) attempt(s): \(error.reason)")
            }
            logger.info("message \(job.messageID): copy to \(endpoint.displayURL) failed (\(error.reason)); trying again")
            let delay = Double(RetryPolicy.milliseconds(retryDelays[attempts - 1])) / 1000
            let retry = Pending(job: job, attempts: attempts, due: Date().addingTimeInterval(delay))
            state.withLock { $0.waiting.append(retry) }
        }
    }

    private func giveUpWaiting(reason: String) {
        let rest = state.withLock { state in
            defer { state.waiting = []; state.refused = [] }
            return state.waiting.map(\.job) + state.refused
        }
        for job in rest { record(job, copied: false, reason) }
    }

    private func record(_ job: SentCopyJob, copied: Bool, _ detail: String) {
        if !copied { logger.warning("message \(job.messageID) of \(job.owner): \(detail)") }
        do {
            try recorder.recordSentCopy(messageID: job.messageID, owner: job.owner, copied: copied, detail: detail,
                                        now: OutboxDatabase.milliseconds(Date()))
        } catch {
            logger.error("message \(job.messageID): recording the sent copy (\(detail)) failed: \(error)")
        }
    }
}
