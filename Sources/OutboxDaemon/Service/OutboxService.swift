import Foundation
import Logging
public import OutboxStore
import Synchronization

/// The `serve` daemon, composed: the delivery engine, the bounce mailbox poller, the
/// webhook dispatcher, the systemd notifications and the watchdog heartbeat around one
/// ``OutboxStore/DeliveryStore`` — SQLite, or PostgreSQL shared by several nodes, where the
/// engine, the webhook dispatcher and the bounce poller (one node at a time) run
/// (``unsupportedOnSharedStore(_:)`` lists what refuses to start there).
///
/// ``start()`` recovers leases left by a stopped daemon and starts everything; ``reload(_:)``
/// lets in-flight sends finish and continues with new settings; ``stop()`` ends sending
/// gracefully and closes the database. ``run(until:reloadSettings:)`` drives those from
/// signals, as `outbox serve` does. The watchdog is pinged at half of `WatchdogSec=` only
/// while no engine step has been stuck for longer than ``ServiceSettings/stallLimit``.
public final class OutboxService: Sendable {
    public let store: any DeliveryStore
    /// The webhook dispatcher's side of the store (SQLite, or this node's on PostgreSQL).
    private let webhookStore: (any WebhookDispatchStore)?
    private let notifier: SystemdNotifier
    private let watchdogInterval: Duration?
    private let ping: @Sendable () -> Void
    private let state: Mutex<State>
    /// Whether the last heartbeat found the engine stuck (so it is logged once, not every beat).
    private let stuck = Atomic<Bool>(false)
    /// When `STATUS=` was last sent by the heartbeat.
    private let lastStatus = Mutex<ContinuousClock.Instant?>(nil)
    private let logger = Logger(label: "outbox.service")

    private struct State: Sendable {
        var settings: ServiceSettings
        var engine: DeliveryEngine?
        var poller: BounceMailboxPoller?
        var heartbeat: BackgroundLoop?
        var webhooks: WebhookDispatcher?
    }

    /// How often `STATUS=` is refreshed at most (every heartbeat when that is less often).
    static let statusInterval: Duration = .seconds(10)

    /// - Parameters:
    ///   - watchdogInterval: how often to ping; default half of the unit's `WatchdogSec=` (nil: no watchdog).
    ///   - watchdogPing: sends one ping; default `WATCHDOG=1` through `notifier`.
    public init(
        store: any DeliveryStore, settings: ServiceSettings, notifier: SystemdNotifier = SystemdNotifier(),
        watchdogInterval: Duration? = SystemdNotifier().watchdogInterval, watchdogPing: (@Sendable () -> Void)? = nil
    ) {
        self.store = store
        self.webhookStore = (store as? any WebhookDispatchSource)?.makeWebhookDispatchStore()
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.ping = watchdogPing ?? { notifier.watchdog() }
        self.state = Mutex(State(settings: settings))
    }

    /// On the SQLite outbox.
    public convenience init(
        database: OutboxDatabase, settings: ServiceSettings, notifier: SystemdNotifier = SystemdNotifier(),
        watchdogInterval: Duration? = SystemdNotifier().watchdogInterval, watchdogPing: (@Sendable () -> Void)? = nil
    ) {
        self.init(store: database, settings: settings, notifier: notifier, watchdogInterval: watchdogInterval, watchdogPing: watchdogPing)
    }

    /// The settings of `settings` that need state a shared (PostgreSQL) store does not keep
    /// yet, each as `[section] setting: why`; empty when `serve` can run on it. Such a
    /// service refuses to start rather than run without them.
    public static func unsupportedOnSharedStore(_ settings: ServiceSettings) -> [String] {
        var unsupported: [String] = []
        if settings.bounceMailbox?.bounces.mailboxAuth.oauthOwner != nil, settings.delivery.accessTokens == nil {
            unsupported.append("[bounces] mailbox-auth = oauth: OAuth tokens are not stored on PostgreSQL yet; log in to the mailbox with a password")
        }
        return unsupported
    }

    /// `--once`: recovers leases, sends what is due now, delivers the webhooks due then (for
    /// at most ``DeliveryConfiguration/shutdownGrace``), closes the database and returns what was done.
    public func runOnce() throws -> DeliverySummary {
        let settings = state.withLock { $0.settings }
        try refuseUnsupported(settings)
        let engine = DeliveryEngine(store: store, configuration: settings.delivery)
        try engine.recover()
        liftConfigurationHolds()
        let summary = engine.drain()
        deliverWebhooks(settings.webhooks, within: settings.delivery.shutdownGrace)
        closeDatabase()
        return summary
    }

    /// The webhook deliveries of the events so far (this run's outcomes among them), before
    /// `--once` exits; those still failing stay pending for the next `serve`.
    private func deliverWebhooks(_ settings: WebhookSettings, within limit: Duration) {
        guard let webhookStore, (try? webhookStore.hasWebhooks()) == true else { return }
        let tally = WebhookDispatcher(store: webhookStore, settings: settings).deliverDue(within: limit)
        if tally.retrying > 0 || tally.failed > 0 {
            logger.warning("webhooks: \(tally); the next serve retries what is left")
        } else if tally.delivered > 0 {
            logger.notice("webhooks: \(tally)")
        }
    }

    /// Recovers leases left by a stopped daemon, lifts configuration holds, starts the
    /// engine, the bounce poller and the heartbeat, and sends `READY=1`.
    public func start() throws {
        let settings = state.withLock { $0.settings }
        try refuseUnsupported(settings)
        let engine = DeliveryEngine(store: store, configuration: settings.delivery)
        try engine.recover()
        liftConfigurationHolds()
        try engine.start()
        let (poller, webhooks) = startCompanions(settings)
        let heartbeat = BackgroundLoop(name: "outbox-heartbeat", interval: watchdogInterval ?? Self.statusInterval) { [self] in beat() }
        state.withLock {
            $0.engine = engine
            $0.poller = poller
            $0.heartbeat = heartbeat
            $0.webhooks = webhooks
        }
        notifier.ready(status: statusLine())
        logger.notice("serving \(store.displayName) with \(settings.delivery.workers) worker(s)",
                      metadata: ["watchdog-ping-ms": "\(watchdogInterval.map { String(Self.milliseconds($0)) } ?? "off")"])
    }

    /// Continues with `settings`: in-flight sends finish under the old ones (``DeliveryConfiguration/shutdownGrace``),
    /// then a new engine and poller start. Configuration holds are lifted (the relay may be
    /// configured now). Throws ``OutboxServiceError`` when the new engine cannot start.
    public func reload(_ settings: ServiceSettings) throws {
        notifier.reloading()
        defer { notifier.ready(status: statusLine()) }
        LoggingSetup.setLevel(settings.logLevel)
        // Not under the lock: the heartbeat keeps reading the state while the old engine finishes.
        let (engine, poller, webhooks) = state.withLock { state in
            defer { (state.engine, state.poller, state.webhooks) = (nil, nil, nil) }
            return (state.engine, state.poller, state.webhooks)
        }
        poller?.stop()
        webhooks?.stop()
        _ = engine?.stop()
        liftConfigurationHolds()
        do { try refuseUnsupported(settings) } catch {
            throw OutboxServiceError(.engineDidNotStart, "the delivery engine did not start after the reload: \(error)")
        }
        let next = DeliveryEngine(store: store, configuration: settings.delivery)
        do { try next.start() } catch {
            throw OutboxServiceError(.engineDidNotStart, "the delivery engine did not start after the reload: \(error)")
        }
        let (nextPoller, nextWebhooks) = startCompanions(settings)
        state.withLock {
            $0.settings = settings
            $0.engine = next
            $0.poller = nextPoller
            $0.webhooks = nextWebhooks
        }
        logger.notice("configuration reloaded: \(settings.delivery.workers) worker(s)")
    }

    /// Sends `STOPPING=1`, stops the poller, stops claiming and lets in-flight sends finish
    /// (releasing the rest), stops the heartbeat and closes the database (its `-wal` and
    /// `-shm` files go when no other process has it open). Returns what the engine did.
    @discardableResult
    public func stop() -> DeliverySummary {
        notifier.stopping(status: "finishing in-flight sends")
        let (engine, poller, heartbeat, webhooks) = state.withLock { state in
            defer { (state.engine, state.poller, state.heartbeat, state.webhooks) = (nil, nil, nil, nil) }
            return (state.engine, state.poller, state.heartbeat, state.webhooks)
        }
        poller?.stop()
        webhooks?.stop()
        let summary = engine?.stop() ?? DeliverySummary()
        heartbeat?.stop()
        closeDatabase()
        logger.notice("stopped: \(summary)")
        return summary
    }

    /// Serves until SIGTERM or SIGINT arrives at `signals`, then stops gracefully. SIGHUP
    /// reloads with `reloadSettings()`; when that throws, the error is logged and the running
    /// settings stay. Throws only when the service cannot go on (it is stopped first).
    /// `beforeStop` runs just before the service stops (a listener closes while the database is open).
    @discardableResult
    public func run(until signals: SignalInbox, beforeStop: () -> Void = {}, reloadSettings: () throws -> ServiceSettings) throws -> DeliverySummary {
        while signals.wait() == SIGHUP {
            let settings: ServiceSettings
            do { settings = try reloadSettings() } catch {
                logger.error("reload failed, keeping the running configuration: \(error)")
                notifier.ready(status: statusLine())
                continue
            }
            do { try reload(settings) } catch {
                beforeStop()
                stop()
                throw error
            }
        }
        beforeStop()
        return stop()
    }

    /// The running engine's tallies since it started (nil while none runs): for `/metrics`.
    public var deliverySummary: DeliverySummary? {
        state.withLock { $0.engine }?.summary
    }

    /// The running engine's connection pool and commit figures (nil while none runs): for `/metrics`.
    public var engineReadings: EngineReadings? {
        state.withLock { $0.engine }?.readings
    }

    /// The engine's stuck steps (empty while it makes progress or is not running).
    public var stalledSteps: [String] {
        let (engine, limit) = state.withLock { ($0.engine, $0.settings.stallLimit) }
        return engine?.stalledSteps(longerThan: limit) ?? []
    }

    /// Queue figures for `STATUS=`: `queued 3, sending 1, deferred 0, sent 120, failed 2`.
    public func statusLine() -> String {
        guard let totals = try? store.status().totals else { return "running" }
        return ["queued", "sending", "deferred", "sent", "failed"].map { "\($0) \(totals[$0, default: 0])" }.joined(separator: ", ")
    }

    /// One heartbeat: a watchdog ping while the engine makes progress, `STATUS=` now and then.
    private func beat() {
        if watchdogInterval != nil {
            let stalled = stalledSteps
            if stalled.isEmpty {
                ping()
                if stuck.exchange(false, ordering: .relaxed) { logger.notice("the delivery engine makes progress again; watchdog pings resumed") }
            } else if !stuck.exchange(true, ordering: .relaxed) {
                logger.critical("the delivery engine is stuck (\(stalled.joined(separator: "; "))); watchdog pings stop, so systemd restarts the service")
            }
        }
        let now = ContinuousClock.now
        if lastStatus.withLock({ last in
            guard last.map({ now - $0 >= Self.statusInterval }) ?? true else { return false }
            last = now
            return true
        }) {
            notifier.status(statusLine())
        }
    }

    private func liftConfigurationHolds() {
        do {
            let owners = try store.liftConfigurationHolds()
            if !owners.isEmpty {
                logger.notice("lifted the configuration hold of \(owners.count) profile(s): \(owners.joined(separator: ", ")); they are tried again with the current configuration")
            }
        } catch {
            logger.error("lifting configuration holds failed: \(error); they end when their time passes")
        }
    }

    private func closeDatabase() {
        do { try store.close() } catch { logger.warning("\(error)") }
    }

    /// Throws ``OutboxServiceError/Code/unsupportedOnSharedStore`` naming every setting
    /// ``unsupportedOnSharedStore(_:)`` finds, when the store is shared.
    private func refuseUnsupported(_ settings: ServiceSettings) throws {
        guard store.isShared else { return }
        let unsupported = Self.unsupportedOnSharedStore(settings)
        guard !unsupported.isEmpty else { return }
        throw OutboxServiceError(.unsupportedOnSharedStore, "serve does not run on \(store.displayName) with these settings yet:\n  "
            + unsupported.joined(separator: "\n  "))
    }

    /// The bounce poller (on every store that records bounces: on PostgreSQL one node at a
    /// time polls) and the webhook dispatcher (on both stores), started.
    private func startCompanions(_ settings: ServiceSettings) -> (BounceMailboxPoller?, WebhookDispatcher?) {
        let poller = (store as? any BounceStore).flatMap { bounces in
            settings.bounceMailbox.map {
                BounceMailboxPoller(database: bounces, endpoint: $0.endpoint, settings: $0.bounces, tokens: settings.delivery.accessTokens)
            }
        }
        poller?.start()
        let webhooks = webhookStore.map { WebhookDispatcher(store: $0, settings: settings.webhooks) }
        webhooks?.start()
        return (poller, webhooks)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// Why the service could not go on.
public struct OutboxServiceError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case engineDidNotStart
        /// A setting needs state the shared (PostgreSQL) store does not keep yet.
        case unsupportedOnSharedStore
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
