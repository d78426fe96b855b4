/// What a message returned to the bounce mailbox is, as far as its content tells.
public enum BounceKind: String, Hashable, Sendable, CaseIterable {
    /// At least one recipient failed (`Action: failed`, a 5.x.x status, or a non-standard
    /// notice that the message could not be delivered).
    case deliveryFailure
    /// Delivery is only delayed (`Action: delayed`, 4.x.x); the sending MTA keeps trying.
    case delayWarning
    /// A delivery status notification that reports success only (delivered, relayed,
    /// expanded).
    case deliverySuccess
    /// A spam complaint (RFC 5965 ARF feedback report): the recipient asked not to get our mail.
    case complaint
    /// An auto-reply or out-of-office notice: not a bounce, never a reason to suppress.
    case autoReply
    /// An ordinary message (a human reply, a newsletter).
    case notABounce
    /// It looks like a bounce (mailer-daemon sender, a report part, a bounce subject) but
    /// no recipient could be recognised.
    case unrecognised
}
