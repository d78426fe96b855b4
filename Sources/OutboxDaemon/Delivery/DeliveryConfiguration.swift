public import OutboxCore

/// How the delivery engine runs. Defaults suit production; tests shorten the times.
public struct DeliveryConfiguration: Sendable {
    /// Parallel senders; each keeps its own connections.
    public var workers: Int = 4
    /// Open SMTP connections per account (a profile's server and login) when its profile
    /// sets no `max-connections`. Workers over the cap wait for a connection.
    public var connectionsPerProfile: Int = 4
    /// Messages a worker claims at once.
    public var batchSize: Int = 32
    /// How old a profile read with a claim may be when a message is sent; older, it is read
    /// again (profiles are resolved at send time within this bound).
    public var profileStaleness: Duration = .seconds(1)
    /// How long a claim holds a message before another daemon may reclaim it; renewed while sending.
    public var leaseDuration: Duration = .seconds(300)
    public var retry = RetryPolicy()
    /// How long a profile stays held after an authentication or configuration problem
    /// (the hold also ends when the profile changes).
    public var holdDuration: Duration = .seconds(900)
    /// The system relay layer (`system` and `reply-to` modes).
    public var systemRelay = ProfileFields()
    /// OAuth access tokens for `m365-oauth` profiles; nil uses the profile's stored secret as the token.
    public var accessTokens: (any AccessTokenSource)?
    /// Reply-to mode's From and the VERP bounce domain.
    public var senderPolicy = SenderPolicy()
    /// Which sender modes sign with DKIM (`[dkim]`).
    public var dkim = DKIMSettings()
    /// DMARC-aware routing of system-mode mail (`[dmarc]`); nil: not checked.
    public var dmarc: DMARCRouting?
    /// The Message-ID domain; nil takes the domain of the From address.
    public var messageIDDomain: String?
    /// The EHLO name.
    public var ehloName = "localhost"
    public var connectTimeout: Duration = .seconds(30)
    public var replyTimeout: Duration = .seconds(300)
    public var totalTimeout: Duration = .seconds(600)
    /// How often the change watcher looks for new commits (an enqueue is noticed within this).
    public var pollInterval: Duration = .milliseconds(100)
    /// The longest an idle worker sleeps before looking for due messages again.
    public var idleRecheck: Duration = .seconds(5)
    /// At shutdown, how long in-flight sends may take before their messages are released anyway.
    public var shutdownGrace: Duration = .seconds(30)
    /// Copies in Sent (`--sent-copy`): a failed IMAP append is tried again after each of these delays, then given up.
    public var sentCopyRetryDelays: [Duration] = [.seconds(10), .seconds(60), .seconds(300)]
    /// Copies waiting at most; over it a copy is given up (with an event) rather than delay sending.
    public var sentCopyQueueLimit = 1000
    /// When the engine stops (or a `--once` run ends), how long waiting copies may still take.
    public var sentCopyGrace: Duration = .seconds(30)
    /// A connection lost after the final ".": look in Sent, resend after a wait, or hold.
    public var unknownOutcome = UnknownOutcomePolicy()
    /// How a profile slows down after "too fast" replies and ramps back (``SendPace``).
    public var pace = PacePolicy()

    public init() {}
}
