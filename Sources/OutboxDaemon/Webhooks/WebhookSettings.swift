public import OutboxCore

/// `[webhooks]`: how the dispatcher inside `serve` delivers events to registered URLs.
public struct WebhookSettings: Sendable, Equatable {
    /// The whole exchange of one delivery (`timeout`, default 10s).
    public var timeout: Duration = .seconds(10)
    /// Deliveries in flight at once (`concurrency`, default 4).
    public var concurrency = 4
    /// How often the event log is looked at for new events (`poll-interval`, default 1s).
    public var pollInterval: Duration = .seconds(1)
    /// Backoff of a failed delivery: first after 30s (`first-retry`), doubling, at most 1h
    /// apart (`max-retry`), ±20 %; given up 24h after the event (`give-up-after`): `failed`.
    public var retry = RetryPolicy(firstDelay: .seconds(30), maxDelay: .seconds(3600), jitter: 0.2, giveUpAfter: .seconds(86_400))

    public init() {}
}
