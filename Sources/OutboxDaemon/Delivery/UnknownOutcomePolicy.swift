import OutboxCore
public import OutboxStore

/// What the engine does with a message whose outcome is unknown: the whole message and its
/// final "." were sent, then the connection broke before the server's reply (`[delivery]`
/// `unknown-outcome`, `unknown-check-after`, `unknown-resend-after`; one policy for every
/// profile).
///
/// Where the profile has IMAP access to the sender's mailbox (its `--sent-copy` folder) and
/// `checkSent` is on, the folder is searched for the Message-ID after `checkAfter`: found →
/// `sent`. Otherwise — or when it is not found — `fallback` applies: `resend` makes the
/// message due `resendAfter` after the outcome became unknown, `hold` parks it for an
/// operator (`outbox resolve ID --sent|--resend`). Nothing is ever resent at once.
public struct UnknownOutcomePolicy: Sendable, Hashable {
    /// What happens when the Sent folder cannot tell: `resend` or `hold`.
    public var fallback: UnknownOutcome.Action = .hold
    /// Search the Sent folder where the profile has one.
    public var checkSent = true
    /// How long after the outcome became unknown the Sent folder is searched (the
    /// provider files its copy within seconds; a minute leaves room).
    public var checkAfter: Duration = .seconds(60)
    /// With `fallback = resend`: how long after the outcome became unknown it is sent again.
    public var resendAfter: Duration = .seconds(3600)
    /// A Sent folder that cannot be searched is tried again after this, `maximumChecks` times.
    public var checkRetry: Duration = .seconds(300)
    public var maximumChecks = 5

    public init() {}

    /// The first step for an outcome that became unknown at `now`.
    func plan(canCheckSent: Bool, messageID: String?, now: Int64) -> DeliveryRecord.UnknownPlan {
        if checkSent, canCheckSent, messageID != nil {
            return .init(action: .checkSent, dueAt: now + RetryPolicy.milliseconds(checkAfter), headerMessageID: messageID)
        }
        return fallbackPlan(since: now, messageID: messageID)
    }

    func fallbackPlan(since: Int64, messageID: String?) -> DeliveryRecord.UnknownPlan {
        fallback == .resend
            ? .init(action: .resend, dueAt: since + RetryPolicy.milliseconds(resendAfter), headerMessageID: messageID)
            : .init(action: .hold, dueAt: nil, headerMessageID: messageID)
    }
}
