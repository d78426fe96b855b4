/// What the server answered to one `RCPT TO`.
public struct RecipientResult: Hashable, Sendable {
    /// The envelope recipient address, as sent.
    public let address: String
    /// The server's reply to `RCPT TO`, or nil when none came (the session ended before).
    public let reply: SMTPReply?

    public init(address: String, reply: SMTPReply?) {
        self.address = address
        self.reply = reply
    }

    /// True when the server accepted the recipient (2xx). Whether the message itself was
    /// delivered is the outcome's business: an accepted recipient of a message whose DATA
    /// then failed received nothing.
    public var accepted: Bool { reply?.isPositive ?? false }
    /// What to do about this recipient if the message was sent to the others.
    public var disposition: Disposition {
        guard let reply else { return .deferred }
        if reply.isPositive { return .accepted }
        return reply.isPermanent ? .rejected : .deferred
    }

    /// A recipient's fate in one attempt.
    public enum Disposition: String, Hashable, Sendable {
        /// 2xx: accepted.
        case accepted
        /// 4xx or no reply: try this recipient again later.
        case deferred
        /// 5xx: refused for good.
        case rejected
    }
}
