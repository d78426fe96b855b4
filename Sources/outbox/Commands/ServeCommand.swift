import ArgumentParser
import Dispatch
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxHTTP
import OutboxPostgres
import OutboxStore
import OutboxTransport

/// `outbox serve`: the delivery daemon. Sends due messages through each owner's profile,
/// retries with backoff, holds broken profiles, respects rate limits; SIGTERM/SIGINT stop
/// it gracefully. `--once` sends what is due now and exits. Settings come from
/// `/etc/outbox/outbox.conf` (or `--config`), then the environment, then these flags.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the delivery daemon (or, with --once, send what is due now and exit).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Configuration file (default: /etc/outbox/outbox.conf when it exists).", valueName: "path"))
    var config: String?

    @Flag(help: "Send what is due now, print a summary and exit (for cron and the demo).")
    var once = false

    @Option(help: "Parallel senders (connections).")
    var workers: Int?

    @Option(help: ArgumentHelp("System relay: smtp://host[:port] (STARTTLS), smtps://host[:port], ?tls=none for clear text.", valueName: "url"))
    var relay: String?

    @Option(name: .customLong("message-id-domain"), help: "Domain of Message-IDs (default: the From address's domain).")
    var messageIDDomain: String?

    @Option(name: .customLong("retry-first"), help: "Delay before the first retry (e.g. 5m, 30s, 200ms).")
    var retryFirst: String?

    @Option(name: .customLong("retry-max"), help: "Longest delay between retries.")
    var retryMax: String?

    @Option(name: .customLong("give-up-after"), help: "Fail a message as expired this long after enqueue.")
    var giveUpAfter: String?

    @Option(help: "How long a profile stays held after an authentication or configuration problem (default 15m).")
    var hold: String?

    @Option(help: "Lease length of claimed messages.")
    var lease: String?

    @Option(help: "How often to look for new commits (an enqueue is noticed within this; default 100ms).")
    var poll: String?

    @Option(help: "At SIGTERM, how long in-flight sends may take before their messages are released; with --once, how long webhook deliveries may take before it exits (default 30s).")
    var grace: String?

    func run() throws {
        let (file, settings) = try loadSettings()
        LoggingSetup.bootstrap(level: file.logLevel)
        let setting = database.path ?? file.databasePath
        if PostgresLocation.isPostgres(setting) { return try runOnPostgres(setting, file: file, settings: settings) }
        let outbox = try Failure.guarding { try OutboxDatabase(path: database.path ?? file.databasePath, access: .createDirectories) }
        SecretsCommand.prepareForService(outbox)
        let withTokens = Self.withTokens(StoredOAuthTokens(database: outbox))
        let service = OutboxService(database: outbox, settings: withTokens(settings))
        if once {
            let progress = ProgressLine.onTerminal("serve --once", unit: "message(s) sent or failed")
            if let progress { Self.watch(progress, path: outbox.path) }
            let summary = try Failure.guarding { try service.runOnce() }
            progress?.finish()
            print("sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed), unknown \(summary.unknown), held \(summary.held), rate-limited \(summary.rateLimited)")
            return
        }
        let signals = SignalInbox([SIGTERM, SIGINT, SIGHUP])
        try Failure.guarding { try service.start() }
        // [http] listen: the API beside the engine; a listener that cannot start stops serve.
        let api = file.http.host.map { _ in
            APIServer(database: outbox, settings: file.http, engineReadings: { [service] in service.engineReadings }) { [service] in service.deliverySummary }
        }
        try Self.start(api, beside: service)
        // SIGHUP: re-read the configuration; a bad file is reported and the old settings stay.
        // At SIGTERM the listener closes first, while the database is still open.
        _ = try Failure.guarding {
            try service.run(until: signals, beforeStop: { api?.stop() }) { withTokens(try loadSettings().1) }
        }
    }

    /// `serve` on a PostgreSQL outbox shared by several nodes: the delivery engine (with the
    /// copies to Sent folders), the webhook dispatcher, the bounce poller (one node at a
    /// time) and, with `[http] listen`, the HTTP API (every node can serve it). What still
    /// needs the SQLite outbox refuses to start, naming its setting
    /// (``OutboxService/unsupportedOnSharedStore(_:)``).
    private func runOnPostgres(_ setting: String, file: OutboxConfiguration, settings: ServiceSettings) throws {
        let unsupported = OutboxService.unsupportedOnSharedStore(settings)
        guard unsupported.isEmpty else {
            Terminal.error("serve does not run on a PostgreSQL outbox with these settings yet:\n  " + unsupported.joined(separator: "\n  "))
            throw ExitCode.failure
        }
        let postgres = try Failure.guarding {
            let location = try PostgresLocation(setting)
            // The HTTP API's requests take a few more connections, briefly each.
            let connections = settings.delivery.workers + 4 + (file.http.host == nil ? 0 : 4)
            return try DatabaseOptions.waitFor { try await PostgresStore.open(location, maximumConnections: connections) }
        }
        let store = try Failure.guarding { try PostgresDeliveryStore(postgres) }
        // OAuth tokens and secrets as on SQLite; a refresh is serialised across the nodes.
        let profiles = PostgresProfileStore(store: postgres)
        SecretsCommand.checkForService(profiles)
        let withTokens = Self.withTokens(StoredOAuthTokens(database: profiles))
        let service = OutboxService(store: store, settings: withTokens(settings))
        if once {
            let summary = try Failure.guarding { try service.runOnce() }
            print("sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed), unknown \(summary.unknown), held \(summary.held), rate-limited \(summary.rateLimited)")
            return
        }
        let signals = SignalInbox([SIGTERM, SIGINT, SIGHUP])
        try Failure.guarding { try service.start() }
        let api = file.http.host.map { _ in
            APIServer(sharedStore: store.store, settings: file.http, engineReadings: { [service] in service.engineReadings }) { [service] in service.deliverySummary }
        }
        try Self.start(api, beside: service)
        _ = try Failure.guarding { try service.run(until: signals, beforeStop: { api?.stop() }) { withTokens(try loadSettings().1) } }
    }

    /// Starts the `[http] listen` listener, if any, beside the running engine; one that cannot start stops serve.
    private static func start(_ api: APIServer?, beside service: OutboxService) throws {
        do { try api?.start() } catch {
            service.stop()
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }

    /// Settings with `tokens` as the engine's OAuth access tokens (also after a SIGHUP reload).
    private static func withTokens(_ tokens: StoredOAuthTokens) -> @Sendable (ServiceSettings) -> ServiceSettings {
        { settings in
            var settings = settings
            settings.delivery.accessTokens = tokens
            return settings
        }
    }

    /// Counts sent and failed messages from a read-only connection of its own while `--once` drains.
    private static func watch(_ progress: ProgressLine, path: String) {
        guard let reader = try? OutboxDatabase(path: path, access: .readOnly), let start = try? reader.status().totals else { return }
        let finished: @Sendable ([String: Int]) -> Int = { $0["sent", default: 0] + $0["failed", default: 0] }
        progress.set(done: 0, total: start["queued", default: 0] + start["deferred", default: 0])
        progress.poll { (try? reader.status().totals).map { finished($0) - finished(start) } }
    }

    /// The configuration file, then the environment, then the flags.
    private func loadSettings() throws -> (OutboxConfiguration, ServiceSettings) {
        var environment = ProcessInfo.processInfo.environment
        if let relay { environment["OUTBOX_RELAY"] = relay }
        let file: OutboxConfiguration
        do { file = try OutboxConfiguration.load(path: config, environment: environment) } catch {
            throw ValidationError("\(error)")
        }
        let bounceMailbox: BounceMailboxSettings?
        do { bounceMailbox = try BounceMailboxSettings.make(file, environment: environment) } catch {
            throw ValidationError("\(error)")
        }
        let delivery = try deliveryConfiguration(file, environment: environment)
        return (file, ServiceSettings(delivery: delivery, bounceMailbox: bounceMailbox, logLevel: file.logLevel, webhooks: file.webhooks))
    }

    /// The configuration file's settings with the flags applied over them.
    private func deliveryConfiguration(_ file: OutboxConfiguration, environment: [String: String]) throws -> DeliveryConfiguration {
        var settings = DeliveryConfiguration()
        settings.workers = max(1, workers ?? file.delivery.workers)
        settings.connectionsPerProfile = file.delivery.connectionsPerProfile
        settings.unknownOutcome = file.delivery.unknownOutcome
        settings.leaseDuration = try lease.map { try duration($0, "--lease") } ?? file.delivery.lease
        settings.pollInterval = try poll.map { try duration($0, "--poll") } ?? .milliseconds(100)
        settings.idleRecheck = file.delivery.pollInterval
        settings.retry = RetryPolicy(
            firstDelay: try retryFirst.map { try duration($0, "--retry-first") } ?? file.retry.firstDelay,
            maxDelay: try retryMax.map { try duration($0, "--retry-max") } ?? file.retry.maxDelay,
            jitter: file.retry.jitter,
            giveUpAfter: try giveUpAfter.map { try duration($0, "--give-up-after") } ?? file.retry.giveUpAfter)
        if let hold { settings.holdDuration = try duration(hold, "--hold") }
        if let grace { settings.shutdownGrace = try duration(grace, "--grace") }
        settings.messageIDDomain = messageIDDomain
        do { settings.senderPolicy = try SenderPolicy(configuration: file) } catch { throw ValidationError(error.description) }
        settings.dkim = file.dkim
        settings.dmarc = DMARCRouting(settings: file.dmarc, resolver: file.dns.makeResolver())
        settings.ehloName = file.relay?.heloName ?? ProcessInfo.processInfo.hostName
        if let relay = file.relay {
            do { settings.systemRelay = try relay.profileFields(readingCredentialFrom: environment) } catch {
                throw ValidationError("relay password: \(error)")
            }
        }
        return settings
    }

    private func duration(_ text: String, _ option: String) throws -> Duration {
        let milliseconds = text.hasSuffix("ms") ? Int64(text.dropLast(2)) : DurationText.milliseconds(text)
        guard let milliseconds, milliseconds >= 0 else {
            throw ValidationError("\(option): '\(text)' is not a duration (e.g. 200ms, 30s, 5m, 4h, 5d)")
        }
        return .milliseconds(milliseconds)
    }
}
