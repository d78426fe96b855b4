/// `[delivery]`: how the daemon drains the outbox.
public struct DeliverySettings: Sendable, Equatable {
    /// Messages sent in parallel (`workers`, default 4).
    public var workers: Int = 4
    /// How long a claimed message stays leased to this daemon before another may reclaim it
    /// (`lease-seconds`, default 300 s).
    public var lease: Duration = .seconds(300)
    /// Fallback wake-up when no enqueue was noticed (`poll-interval-ms`, default 1000 ms).
    public var pollInterval: Duration = .milliseconds(1000)
    /// Open SMTP connections per account — a profile's server and login — at most, unless
    /// the profile sets `max-connections` (`connections-per-profile`, default 4).
    public var connectionsPerProfile: Int = 4
    /// A connection lost after a message's final "." (`unknown-outcome` = hold | resend,
    /// `unknown-check-sent`, `unknown-check-after`, `unknown-resend-after`).
    public var unknownOutcome = UnknownOutcomePolicy()

    public init() {}
}
