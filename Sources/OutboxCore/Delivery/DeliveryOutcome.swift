/// The verdict on one delivery attempt.
public enum DeliveryOutcome: Hashable, Sendable {
    /// The server accepted the message (2xx after DATA) for at least one recipient;
    /// carries that final reply. Per-recipient refusals are in the report's recipients.
    case sent(SMTPReply)
    /// Try again later; carries the 4xx reply when the server gave one.
    case deferred(DeferralCategory, SMTPReply?)
    /// Refused for good (5xx to MAIL, to every RCPT, to DATA or after the data).
    case failed(SMTPReply)
    /// A problem of the SMTP profile: hold the profile's queue.
    case profileProblem(ProfileProblem, SMTPReply?)
    /// The whole message and its final "." were sent, then the connection broke before the
    /// server's reply: the server may have accepted it. Not to be resent blindly.
    case unknown

    /// The reply that decided the outcome, if a reply did.
    public var reply: SMTPReply? {
        switch self {
        case .sent(let reply), .failed(let reply): reply
        case .deferred(_, let reply), .profileProblem(_, let reply): reply
        case .unknown: nil
        }
    }
}
