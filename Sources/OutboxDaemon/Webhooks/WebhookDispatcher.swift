import Foundation
import Logging
import OutboxCore
public import OutboxStore
import OutboxTransport
import Synchronization

/// Delivers events to the registered webhook endpoints, on a thread of its own so that
/// no slow or dead receiver ever holds up mail delivery.
///
/// Each round turns new events into pending deliveries (by each endpoint's cursor in the
/// database), then sends up to ``WebhookSettings/concurrency`` due deliveries at once, each
/// signed (``WebhookSignature``) and bounded by ``WebhookSettings/timeout``. A 2xx answer
/// delivers; anything else is retried with backoff until ``WebhookSettings/retry`` gives
/// up (`failed`). Every attempt is recorded. Delivery is at-least-once: a receiver that
/// took an event but whose answer was lost gets it again, with the same event id.
public final class WebhookDispatcher: Sendable {
    private let database: OutboxDatabase
    private let settings: WebhookSettings
    private let loop: Mutex<BackgroundLoop?> = Mutex(nil)
    private let logger = Logger(label: "outbox.webhooks")

    public init(database: OutboxDatabase, settings: WebhookSettings) {
        self.database = database
        self.settings = settings
    }

    /// Starts the dispatch thread.
    public func start() {
        let loop = BackgroundLoop(name: "outbox-webhooks", interval: settings.pollInterval, untilIdle: { [self] in round() })
        self.loop.withLock { $0 = loop }
    }

    /// Stops after the deliveries under way (at most one timeout).
    public func stop() {
        loop.withLock { $0 }?.stop()
    }

    /// One round; true when it had a full set of due deliveries (there may be more).
    func round() -> Bool {
        let now = OutboxDatabase.milliseconds(Date())
        let due: [WebhookDispatch]
        do {
            guard try database.hasWebhooks() else { return false }
            try database.scheduleWebhookDeliveries(now: now)
            due = try database.dueWebhookDeliveries(now: now, limit: settings.concurrency)
        } catch {
            logger.error("webhooks: reading due deliveries failed: \(error); trying again in \(settings.pollInterval)")
            return false
        }
        let group = DispatchGroup()
        for dispatch in due {
            group.enter()
            let thread = Thread { [self] in
                deliver(dispatch)
                group.leave()
            }
            thread.name = "outbox-webhook-\(dispatch.deliveryID)"
            thread.start()
        }
        group.wait()
        return due.count == settings.concurrency
    }

    private func deliver(_ dispatch: WebhookDispatch) {
        let started = ContinuousClock.now
        var status: Int?
        var problem: String?
        if let event = dispatch.event, let secret = dispatch.secret {
            do {
                let response = try HTTPClient.perform(request(event, secret: secret, url: dispatch.url))
                status = response.status
                if !response.isSuccess { problem = "HTTP \(response.status)" + Self.excerpt(response.text) }
            } catch {
                problem = "\(error)"
            }
        } else {
            problem = dispatch.event == nil ? "the event was purged from the log before it was delivered" : dispatch.secretProblem
        }
        let latency = started.duration(to: .now)
        let now = OutboxDatabase.milliseconds(Date())
        let outcome: WebhookOutcome
        if problem == nil {
            outcome = .delivered
        } else if dispatch.event == nil {
            outcome = .failed
        } else {
            switch settings.retry.decide(afterAttempt: dispatch.attempts + 1, createdAt: dispatch.createdAt, now: now, random: Double.random(in: 0..<1)) {
            case .retry(let at): outcome = .retry(at: at)
            case .giveUp: outcome = .failed
            }
        }
        do {
            try database.recordWebhookAttempt(deliveryID: dispatch.deliveryID, at: now, status: status,
                                              latencyMilliseconds: RetryPolicy.milliseconds(latency), error: problem, outcome: outcome)
        } catch {
            logger.error("webhooks: recording attempt of delivery \(dispatch.deliveryID) failed: \(error); it is sent again")
        }
        if outcome == .failed {
            let event = dispatch.event.map { String($0.id) } ?? "(purged)"
            logger.warning("webhooks: gave up delivery \(dispatch.deliveryID) of event \(event) to endpoint \(dispatch.endpointID) after \(dispatch.attempts + 1) attempt(s): \(problem ?? "")")
        }
    }

    private func request(_ event: WebhookEvent, secret: String, url: String) throws -> HTTPRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = [UInt8](try encoder.encode(event))
        let timestamp = OutboxDatabase.milliseconds(Date()) / 1000
        return HTTPRequest(
            method: .post, url: url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "Outbox-Webhooks/1"),
                ("Outbox-Event-Id", String(event.id)), ("Outbox-Event-Kind", event.kind),
                (WebhookSignature.headerName, WebhookSignature.header(secret: secret, timestamp: timestamp, body: body)),
            ],
            body: body, connectTimeout: min(settings.timeout, .seconds(5)), totalTimeout: settings.timeout,
            maximumResponseBytes: 64 * 1024)
    }

    /// `: first 200 characters` of a response body, for the attempt's error.
    private static func excerpt(_ text: String) -> String {
        let line = text.prefix(200).filter { !$0.isNewline }
        return line.isEmpty ? "" : ": " + line
    }
}
