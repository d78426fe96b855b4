/// Event kinds for messages at the bounce doors that are not about one recipient's
/// delivery. Real bounces use the Core kinds `bounced` and `delayed`.
public enum BounceEventKind: String, Sendable, CaseIterable {
    /// An auto-reply or out-of-office notice; nobody is suppressed.
    case autoReply = "auto-reply"
    /// A delivery status notification that reports success (relayed, delivered, expanded).
    case deliveryReport = "delivery-report"
    /// A spam complaint (ARF feedback report) about one of our messages; the complainer is suppressed.
    case complaint
    /// A bounce that refused the *sender* (`blocked`, `spamdetected`, …), counted against the owner's profile.
    case senderProblem = "sender-problem"
    /// An ordinary message (a human reply) that reached the bounce door.
    case notABounce = "not-a-bounce"
    /// Looks like a bounce, but no recipient could be recognised.
    case unrecognised = "bounce-unrecognised"
}
