import Foundation
public import Logging
public import OutboxTransport

/// What ``OutboxService`` runs with; a reload hands it a new value.
public struct ServiceSettings: Sendable {
    public var delivery: DeliveryConfiguration
    /// The `[bounces]` mailbox to poll; nil when none is configured.
    public var bounceMailbox: BounceMailboxSettings?
    /// `[log] level`, applied at start and at every reload.
    public var logLevel: Logger.Level
    /// A step of the engine (a claim, one message, a group commit) running longer than this
    /// counts as wedged: the watchdog pings stop and systemd restarts the service.
    public var stallLimit: Duration
    /// `[webhooks]`: the dispatcher's timeout, concurrency and backoff.
    public var webhooks: WebhookSettings

    /// `stallLimit` defaults to ``defaultStallLimit(_:)``.
    public init(delivery: DeliveryConfiguration, bounceMailbox: BounceMailboxSettings? = nil, logLevel: Logger.Level = .info,
                stallLimit: Duration? = nil, webhooks: WebhookSettings = WebhookSettings()) {
        self.delivery = delivery
        self.webhooks = webhooks
        self.bounceMailbox = bounceMailbox
        self.logLevel = logLevel
        self.stallLimit = stallLimit ?? Self.defaultStallLimit(delivery)
    }

    /// The longest one send may take (connect plus total timeout) and a minute of slack, at
    /// least one lease: beyond that the worker is stuck, not slow (10 min 30 s by default).
    public static func defaultStallLimit(_ delivery: DeliveryConfiguration) -> Duration {
        max(delivery.connectTimeout + delivery.totalTimeout + .seconds(60), delivery.leaseDuration)
    }
}

/// The bounce mailbox the service polls.
public struct BounceMailboxSettings: Sendable {
    public var endpoint: MailboxEndpoint
    /// `[bounces]`: poll interval, mailbox mode and folder, suppression policy.
    public var bounces: BounceSettings

    public init(endpoint: MailboxEndpoint, bounces: BounceSettings) {
        self.endpoint = endpoint
        self.bounces = bounces
    }

    /// The `[bounces]` mailbox of a configuration, its password read from the systemd
    /// credential it names; nil when no `mailbox-url` is set. Clear text only to a mailbox
    /// on this machine, as for HTTP endpoints.
    public static func make(_ configuration: OutboxConfiguration, environment: [String: String]) throws(ConfigurationError) -> BounceMailboxSettings? {
        let bounces = configuration.bounces
        guard let url = bounces.mailboxURL else { return nil }
        let file = configuration.sourceFile ?? "environment"
        if let owner = bounces.mailboxAuth.oauthOwner {
            guard bounces.mailboxPasswordCredential == nil else {
                throw ConfigurationError(.invalidValue, file: file, line: nil, reason:
                    "[bounces] mailbox-auth = oauth:\(owner) logs in with OAuth tokens; remove mailbox-password-credential (or set mailbox-auth = password)")
            }
            guard bounces.mailboxUser?.isEmpty == false else {
                throw ConfigurationError(.missingValue, file: file, line: nil, reason:
                    "[bounces] mailbox-auth = oauth:\(owner) needs mailbox-user: the mailbox address XOAUTH2 logs in as")
            }
        }
        var password = ""
        if let credential = bounces.mailboxPasswordCredential {
            do { password = try Credentials.read(name: credential, environment: environment) } catch {
                throw ConfigurationError(.invalidValue, file: file, line: nil, reason: "[bounces] mailbox password: \(error)")
            }
        }
        let host = URLComponents(string: url)?.host ?? ""
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        do {
            let endpoint = try MailboxEndpoint(url: url, username: bounces.mailboxUser ?? "", password: password, requireTLS: !loopback)
            return BounceMailboxSettings(endpoint: endpoint, bounces: bounces)
        } catch {
            throw ConfigurationError(.invalidValue, file: file, line: nil, reason: "[bounces] mailbox-url: \(error)")
        }
    }
}
