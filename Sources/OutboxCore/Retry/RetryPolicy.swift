/// When to try a deferred message again, and when to give up. Pure: the clock and the
/// randomness are passed in. Times are Unix milliseconds, like the store's.
///
/// Defaults follow Postfix: first retry after 5 minutes, the delay doubling per attempt,
/// capped at 4 hours, ±20 % jitter, and giving up (expired) 5 days after enqueue.
public struct RetryPolicy: Hashable, Sendable {
    /// The delay after the first failed attempt.
    public var firstDelay: Duration
    /// The factor the delay grows by per further attempt.
    public var multiplier: Double
    /// The longest delay between two attempts (before jitter).
    public var maxDelay: Duration
    /// The relative spread of the delay, 0.2 for ±20 %; keeps a batch from retrying in lockstep.
    public var jitter: Double
    /// How long after enqueue a message is still retried; later it fails as expired.
    public var giveUpAfter: Duration

    public init(
        firstDelay: Duration = .seconds(300), multiplier: Double = 2, maxDelay: Duration = .seconds(4 * 3600),
        jitter: Double = 0.2, giveUpAfter: Duration = .seconds(5 * 86_400)
    ) {
        self.firstDelay = firstDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.giveUpAfter = giveUpAfter
    }

    /// The delay after failed attempt number `attempt` (1 for the first), before jitter.
    public func baseDelay(afterAttempt attempt: Int) -> Duration {
        let first = Self.milliseconds(firstDelay), cap = Self.milliseconds(maxDelay)
        var delay = Double(first)
        for _ in 1..<max(1, attempt) {
            delay *= max(1, multiplier)
            if delay >= Double(cap) { break }
        }
        return .milliseconds(Int64(min(delay, Double(cap))))
    }

    /// The jittered delay after failed attempt `attempt`; `random` is uniform in 0..<1.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let base = Double(Self.milliseconds(baseDelay(afterAttempt: attempt)))
        let spread = min(max(jitter, 0), 1)
        let factor = 1 + spread * (2 * min(max(random, 0), 1) - 1)
        return .milliseconds(Int64((base * factor).rounded()))
    }

    /// What to do after failed attempt `attempt` of a message enqueued at `createdAt`,
    /// the failure seen at `now`.
    public func decide(afterAttempt attempt: Int, createdAt: Int64, now: Int64, random: Double) -> RetryDecision {
        let deadline = createdAt + Self.milliseconds(giveUpAfter)
        if now >= deadline { return .giveUp }
        return .retry(at: now + Self.milliseconds(delay(afterAttempt: attempt, random: random)))
    }

    /// Whole milliseconds of a duration.
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
