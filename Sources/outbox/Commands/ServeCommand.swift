import ArgumentParser
import Dispatch
import Foundation
import OutboxCore
import OutboxDaemon
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

    @Option(help: "At SIGTERM, how long in-flight sends may take before their messages are released (default 30s).")
    var grace: String?

    func run() throws {
        var (file, settings, environment) = try loadSettings()
        LoggingSetup.bootstrap(level: file.logLevel, environment: environment)
        let outbox = try Failure.guarding { try OutboxDatabase(path: database.path ?? file.databasePath) }
        let tokens = StoredOAuthTokens(database: outbox)
        settings.accessTokens = tokens
        var engine = DeliveryEngine(database: outbox, configuration: settings)
        try Failure.guarding { _ = try engine.recover() }
        if once {
            let summary = engine.drain()
            print("sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed), held \(summary.held), rate-limited \(summary.rateLimited)")
            return
        }

        let signals = SignalInbox([SIGTERM, SIGINT, SIGHUP])
        let notifier = SystemdNotifier()
        try Failure.guarding { try engine.start() }
        var poller = try bouncePoller(file, outbox: outbox, environment: environment)
        poller?.start()
        notifier.ready(status: Self.statusLine(outbox))
        Heartbeat(notifier: notifier, outbox: outbox).start()
        Terminal.notice("serving \(outbox.path) with \(settings.workers) worker(s)")
        // SIGHUP: re-read the configuration; if it is valid, let in-flight sends finish and
        // start a new engine with it (a bad file is reported and the old settings stay).
        while signals.wait() == SIGHUP {
            notifier.reloading()
            do {
                (file, settings, environment) = try loadSettings()
                settings.accessTokens = tokens
                LoggingSetup.setLevel(file.logLevel)
                let nextPoller = try bouncePoller(file, outbox: outbox, environment: environment)
                poller?.stop()
                poller = nextPoller
                poller?.start()
                _ = engine.stop()
                engine = DeliveryEngine(database: outbox, configuration: settings)
                try engine.start()
                Terminal.notice("configuration reloaded: \(settings.workers) worker(s)")
            } catch {
                Terminal.error("reload failed, keeping the running configuration: \(error)")
            }
            notifier.ready(status: Self.statusLine(outbox))
        }
        notifier.stopping(status: "finishing in-flight sends")
        poller?.stop()
        let summary = engine.stop()
        Terminal.notice("stopped: \(summary)")
    }

    /// The `[bounces]` mailbox poller, when a mailbox URL is configured.
    private func bouncePoller(_ file: OutboxConfiguration, outbox: OutboxDatabase, environment: [String: String]) throws -> BounceMailboxPoller? {
        guard let url = file.bounces.mailboxURL else { return nil }
        var password = ""
        if let credential = file.bounces.mailboxPasswordCredential {
            do { password = try Credentials.read(name: credential, environment: environment) } catch {
                throw ValidationError("[bounces] mailbox password: \(error)")
            }
        }
        do {
            // Clear text only to a mailbox on this machine, as for HTTP endpoints.
            let host = URLComponents(string: url)?.host ?? ""
            let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
            let endpoint = try MailboxEndpoint(url: url, username: file.bounces.mailboxUser ?? "", password: password, requireTLS: !loopback)
            return BounceMailboxPoller(database: outbox, endpoint: endpoint, interval: file.bounces.pollInterval)
        } catch {
            throw ValidationError("[bounces] mailbox-url: \(error)")
        }
    }

    /// The configuration file, then the environment, then the flags.
    private func loadSettings() throws -> (OutboxConfiguration, DeliveryConfiguration, [String: String]) {
        var environment = ProcessInfo.processInfo.environment
        if let relay { environment["OUTBOX_RELAY"] = relay }
        let file: OutboxConfiguration
        do { file = try OutboxConfiguration.load(path: config, environment: environment) } catch {
            throw ValidationError("\(error)")
        }
        return (file, try deliveryConfiguration(file, environment: environment), environment)
    }

    static func statusLine(_ outbox: OutboxDatabase) -> String {
        guard let totals = try? outbox.status().totals else { return "running" }
        return ["queued", "sending", "deferred", "sent", "failed"].map { "\($0) \(totals[$0, default: 0])" }.joined(separator: ", ")
    }

    /// The configuration file's settings with the flags applied over them.
    private func deliveryConfiguration(_ file: OutboxConfiguration, environment: [String: String]) throws -> DeliveryConfiguration {
        var settings = DeliveryConfiguration()
        settings.workers = max(1, workers ?? file.delivery.workers)
        settings.connectionsPerProfile = file.delivery.connectionsPerProfile
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
        settings.senderPolicy = try senderPolicy(file)
        settings.dkim = file.dkim
        settings.ehloName = file.relay?.heloName ?? ProcessInfo.processInfo.hostName
        if let relay = file.relay {
            do { settings.systemRelay = try relay.profileFields(readingCredentialFrom: environment) } catch {
                throw ValidationError("relay password: \(error)")
            }
        }
        return settings
    }

    /// `[reply-to]` company-address (a local part or a whole address) on event-domain, and
    /// `[bounces]` domain for VERP envelope senders.
    private func senderPolicy(_ file: OutboxConfiguration) throws -> SenderPolicy {
        var policy = SenderPolicy(bounceDomain: file.bounces.domain)
        if let replyTo = file.replyTo {
            let address = replyTo.companyAddress.contains("@") ? replyTo.companyAddress : "\(replyTo.companyAddress)@\(replyTo.eventDomain)"
            do { policy.replyToFrom = try Mailbox(address: address) } catch {
                throw ValidationError("[reply-to] company-address '\(address)': \(error.reason)")
            }
        }
        return policy
    }

    private func duration(_ text: String, _ option: String) throws -> Duration {
        let milliseconds = text.hasSuffix("ms") ? Int64(text.dropLast(2)) : DurationText.milliseconds(text)
        guard let milliseconds, milliseconds >= 0 else {
            throw ValidationError("\(option): '\(text)' is not a duration (e.g. 200ms, 30s, 5m, 4h, 5d)")
        }
        return .milliseconds(milliseconds)
    }
}
