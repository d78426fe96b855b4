/// What one unsubscribe request did (``OutboxDatabase/unsubscribe(token:source:now:)``).
public struct UnsubscribeResult: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// At least one address was newly unsubscribed from the owner's letters.
        case unsubscribed
        /// The token is known, and every address it stands for had unsubscribed before; nothing changed.
        case alreadyUnsubscribed = "already-unsubscribed"
        /// No letter carries the token (forged, mistyped, malformed); nothing changed.
        case unknownToken = "unknown-token"
    }

    public let outcome: Outcome
    /// The owner of the letter the token belongs to; nil for an unknown token.
    public let owner: String?
    /// The letter the token was issued for (it may have been purged since).
    public let messageID: Int64?
    /// The addresses the token stands for (the letter's `to` recipients), lower-cased.
    public let addresses: [String]
    /// The `unsubscribed` or `unsubscribe-ignored` events written, in order.
    public let eventIDs: [Int64]
    /// One line for people: what happened and why.
    public let detail: String
}

/// Where an unsubscribe request came from, kept with the unsubscription and in its event.
public struct UnsubscribeSource: Sendable, Hashable {
    /// Short name stored with the unsubscription: `mail` or `one-click`.
    public let name: String
    /// The raw message at a bounce door that carried the request, if any.
    public let bounceID: Int64?

    public init(name: String, bounceID: Int64? = nil) {
        self.name = name
        self.bounceID = bounceID
    }

    /// Mail to `unsubscribe+TOKEN@…`, recorded raw as bounce `bounceID`.
    public static func mail(bounceID: Int64?) -> UnsubscribeSource { UnsubscribeSource(name: "mail", bounceID: bounceID) }
    /// An RFC 8058 one-click POST to the unsubscribe URL.
    public static let oneClick = UnsubscribeSource(name: "one-click")

    var text: String {
        switch name {
        case "mail": "by mail to its unsubscribe address" + (bounceID.map { " [bounce #\($0)]" } ?? "")
        case "one-click": "by one-click POST to its unsubscribe URL"
        default: "by \(name)"
        }
    }
}
