/// What Outbox does about a message whose outcome is unknown (the connection broke after
/// its final "." and before the server's reply), as the store keeps it until resolved.
public struct UnknownOutcome: Hashable, Sendable, Codable {
    /// The next step.
    public enum Action: String, Hashable, Sendable, Codable, CaseIterable {
        /// Look for the Message-ID in the owner's Sent folder at `dueAt`.
        case checkSent = "check-sent"
        /// Send again at `dueAt` (the message is due then).
        case resend
        /// Wait for an operator: `outbox resolve ID --sent|--resend`.
        case hold
    }

    public let messageID: Int64
    public let owner: String
    /// The Message-ID header field's value (`<…>`) the message was sent with.
    public let headerMessageID: String?
    public var action: Action
    /// When the outcome became unknown (Unix milliseconds).
    public let since: Int64
    /// When the next step is due; nil for `hold`.
    public var dueAt: Int64?
    /// Sent-folder looks made so far.
    public var checks: Int
    /// The last step's result, for operators.
    public var detail: String

    public init(messageID: Int64, owner: String, headerMessageID: String?, action: Action, since: Int64, dueAt: Int64?,
                checks: Int = 0, detail: String) {
        self.messageID = messageID
        self.owner = owner
        self.headerMessageID = headerMessageID
        self.action = action
        self.since = since
        self.dueAt = dueAt
        self.checks = checks
        self.detail = detail
    }
}

/// How an unknown outcome ends, or what is tried next.
public enum UnknownResolution: Hashable, Sendable {
    /// The message was delivered (found in Sent, or an operator says so): `sent`.
    case sent(detail: String)
    /// Send it again at this time (Unix milliseconds).
    case resend(at: Int64, detail: String)
    /// Keep it parked for an operator.
    case hold(detail: String)
    /// Look again at this time (the look failed, e.g. the IMAP server did not answer).
    case checkAgain(at: Int64, detail: String)
}
