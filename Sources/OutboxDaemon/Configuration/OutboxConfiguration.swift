import Logging
import OutboxStore

/// The daemon's settings: `/etc/outbox/outbox.conf`, then environment overrides, then
/// (by the caller) command-line flags. Holds no secrets, only credential names.
public struct OutboxConfiguration: Sendable, Equatable {
    /// The file read when no path is given; absent means all defaults.
    public static let defaultPath = "/etc/outbox/outbox.conf"

    /// `[database] path`; default `$OUTBOX_DB`, else the same place the CLI uses
    /// (`/var/lib/outbox/outbox.db` for root and the `outbox` user).
    public var databasePath: String
    public var delivery = DeliverySettings()
    public var retry = RetrySettings()
    /// Nil when no `[relay] host` is configured.
    public var relay: RelaySettings?
    /// Nil when reply-to mode is not configured.
    public var replyTo: ReplyToSettings?
    public var bounces = BounceSettings()
    /// `[enqueue]`: attachment roots for `outbox enqueue`.
    public var enqueue = EnqueueSettings()
    /// `[dkim]`: which sender modes sign.
    public var dkim = DKIMSettings()
    /// `[http]`: the API listener; off unless `listen` is set.
    public var http = HTTPSettings()
    /// `[dns]`: the resolver to ask.
    public var dns = DNSSettings()
    /// `[dmarc]`: DMARC-aware routing of system-mode mail.
    public var dmarc = DMARCSettings()
    /// `[webhooks]`: how `serve` delivers events to registered URLs.
    public var webhooks = WebhookSettings()
    /// `[log] level`, default `info`.
    public var logLevel: Logger.Level = .info
    /// The file the settings came from; nil when only defaults and the environment were used.
    public var sourceFile: String?

    public init(databasePath: String) {
        self.databasePath = databasePath
    }

    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - path: the file to read; nil reads ``defaultPath`` if it exists. A missing explicit file is an error.
    ///   - environment: `OUTBOX_DB`, `OUTBOX_LOG_LEVEL`, `OUTBOX_WORKERS` and `OUTBOX_RELAY`
    ///     (`smtp[s]://host[:port]`, `?tls=none` for clear text) override the file.
    /// - Throws: ``ConfigurationError`` naming the file, line and reason.
    public static func load(path: String?, environment: [String: String]) throws(ConfigurationError) -> OutboxConfiguration {
        var configuration = OutboxConfiguration(databasePath: DatabaseLocation.resolve(explicit: nil, environment: environment))
        if let text = try ConfigurationFileReader.read(path: path ?? defaultPath, required: path != nil) {
            let file = path ?? defaultPath
            let document = try ConfigurationSyntax.parse(text, file: file)
            try ConfigurationBuilder(file: file).apply(document, to: &configuration)
            configuration.sourceFile = file
        }
        try EnvironmentOverrides.apply(environment, to: &configuration)
        return configuration
    }
}
