import ArgumentParser
import Dispatch
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore

/// `outbox serve`: the delivery daemon. Sends due messages through each owner's profile,
/// retries with backoff, holds broken profiles, respects rate limits; SIGTERM/SIGINT stop
/// it gracefully. `--once` sends what is due now and exits.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the delivery daemon (or, with --once, send what is due now and exit).")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Send what is due now, print a summary and exit (for cron and the demo).")
    var once = false

    @Option(help: "Parallel senders (connections).")
    var workers = 4

    @Option(help: ArgumentHelp("System relay: smtp://host:port (clear text), smtp+starttls://host:port or smtps://host:port.", valueName: "url"))
    var relay: String?

    @Option(name: .customLong("relay-user"), help: "User name for the system relay (the password comes from $OUTBOX_RELAY_PASSWORD_FILE).")
    var relayUser: String?

    @Option(name: .customLong("message-id-domain"), help: "Domain of Message-IDs (default: the From address's domain).")
    var messageIDDomain: String?

    @Option(name: .customLong("retry-first"), help: "Delay before the first retry (e.g. 5m, 30s, 200ms).")
    var retryFirst = "5m"

    @Option(name: .customLong("retry-max"), help: "Longest delay between retries.")
    var retryMax = "4h"

    @Option(name: .customLong("give-up-after"), help: "Fail a message as expired this long after enqueue.")
    var giveUpAfter = "5d"

    @Option(help: "How long a profile stays held after an authentication or configuration problem.")
    var hold = "15m"

    @Option(help: "Lease length of claimed messages.")
    var lease = "5m"

    @Option(help: "At SIGTERM, how long in-flight sends may take before their messages are released.")
    var grace = "30s"

    func run() throws {
        var settings = DeliveryConfiguration()
        settings.workers = max(1, workers)
        settings.messageIDDomain = messageIDDomain
        settings.retry = RetryPolicy(firstDelay: try duration(retryFirst, "--retry-first"), maxDelay: try duration(retryMax, "--retry-max"),
                                     giveUpAfter: try duration(giveUpAfter, "--give-up-after"))
        settings.holdDuration = try duration(hold, "--hold")
        settings.leaseDuration = try duration(lease, "--lease")
        settings.shutdownGrace = try duration(grace, "--grace")
        if let relay { settings.systemRelay = try Self.relayLayer(relay, user: relayUser) }
        settings.ehloName = ProcessInfo.processInfo.hostName

        let outbox = try database.open()
        let engine = DeliveryEngine(database: outbox, configuration: settings)
        try Failure.guarding { _ = try engine.recover() }
        if once {
            let summary = engine.drain()
            print("sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed), held \(summary.held), rate-limited \(summary.rateLimited)")
            return
        }
        let stop = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        try Failure.guarding { try engine.start() }
        SystemdNotifier().notify("READY=1")
        Terminal.notice("serving \(outbox.path) with \(settings.workers) worker(s)")
        stop.wait()
        SystemdNotifier().notify("STOPPING=1")
        let summary = engine.stop()
        Terminal.notice("stopped: \(summary)")
        _ = sources
    }

    private func duration(_ text: String, _ option: String) throws -> Duration {
        let milliseconds = text.hasSuffix("ms") ? Int64(text.dropLast(2)) : DurationText.milliseconds(text)
        guard let milliseconds, milliseconds >= 0 else {
            throw ValidationError("\(option): '\(text)' is not a duration (e.g. 200ms, 30s, 5m, 4h, 5d)")
        }
        return .milliseconds(milliseconds)
    }

    /// The system relay layer from a URL; the password, if any, is read from the file
    /// named by `$OUTBOX_RELAY_PASSWORD_FILE` (never from the command line).
    static func relayLayer(_ text: String, user: String?) throws -> ProfileFields {
        guard let url = URLComponents(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            throw ValidationError("--relay: '\(text)' is not a URL like smtp://host:25, smtp+starttls://host:587 or smtps://host:465")
        }
        var fields = ProfileFields()
        fields.mode = .system
        fields.host = host
        switch scheme {
        case "smtp": fields.tls = TLSMode.none
        case "smtp+starttls": fields.tls = .starttls
        case "smtps": fields.tls = .tls
        default: throw ValidationError("--relay: unknown scheme '\(scheme)'; use smtp, smtp+starttls or smtps")
        }
        fields.port = url.port ?? (fields.tls == .tls ? 465 : fields.tls == .starttls ? 587 : 25)
        if let user {
            fields.username = user
            if let file = ProcessInfo.processInfo.environment["OUTBOX_RELAY_PASSWORD_FILE"] {
                guard let secret = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw ValidationError("cannot read the relay password file named by OUTBOX_RELAY_PASSWORD_FILE")
                }
                fields.secret = secret.trimmingCharacters(in: .newlines)
            }
        }
        return fields
    }
}
