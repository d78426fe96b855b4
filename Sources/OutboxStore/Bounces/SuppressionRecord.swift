/// One address on the suppression list: messages to it are not attempted while it is active.
public struct SuppressionRecord: Sendable, Hashable, Codable {
    /// Lower-cased address.
    public let address: String
    /// Why, in words: `dead address: userunknown 5.1.1`, `spam complaint: feedback`,
    /// `repeated soft bounces: mailboxfull 5.2.2`, or the operator's words.
    public let reason: String
    /// The ``OutboxCore/BounceReason`` behind it (`userunknown`, `feedback`, …); nil when an
    /// operator added it.
    public let bounceReason: String?
    /// The event that put it there (the `bounced` or `complaint` event, or the operator's
    /// `suppressed` event), if any.
    public let eventID: Int64?
    /// The raw bounce that caused it (`outbox bounces raw ID`), if any.
    public let bounceID: Int64?
    /// Unix milliseconds.
    public let createdAt: Int64
    /// When it stops blocking (Unix milliseconds); nil: never.
    public let expiresAt: Int64?
    /// What it blocks: `all` mail to the address, or `letters` — only letters of ``owner``
    /// (the address unsubscribed from them; invoices and transactional mail still go).
    public var scope = Scope.all
    /// The owner whose letters are blocked, for scope `letters`.
    public var owner: String?

    /// What a suppression blocks.
    public enum Scope: String, Sendable, Hashable, Codable {
        case all, letters
    }

    /// Whether it still blocks sending at `now`.
    public func isActive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }
}
