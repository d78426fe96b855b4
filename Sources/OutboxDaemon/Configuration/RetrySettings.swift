/// `[retry]`: backoff for temporary failures.
public struct RetrySettings: Sendable, Equatable {
    /// Delay before the first retry (`first-delay`, default 5m); doubles on every further attempt.
    public var firstDelay: Duration = .seconds(5 * 60)
    /// Longest delay between two attempts (`max-delay`, default 4h).
    public var maxDelay: Duration = .seconds(4 * 3600)
    /// Age after which a still-deferred message fails as expired (`give-up-after`, default 5d).
    public var giveUpAfter: Duration = .seconds(5 * 86_400)
    /// Random spread applied to each delay, 0...1 (`jitter`, default 0.2 = ±20 %).
    public var jitter: Double = 0.2

    public init() {}
}
