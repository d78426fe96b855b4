/// How a bounce was tied to the message it reports on.
public enum BounceMatchMethod: String, Sendable, Hashable, Codable {
    /// The VERP token in the address the bounce was delivered to (`bounces+TOKEN@…`).
    case verp
    /// The `Message-ID` local part of the returned message.
    case messageID = "message-id"
    /// The `X-Outbox-Token` header of the returned message.
    case header
    /// The recipient address among messages sent in the last 30 days.
    case address
    /// The letter token of an unsubscribe request (`unsubscribe+TOKEN@…`).
    case unsubscribeToken = "unsubscribe-token"
}

/// A message the bounce was matched to.
struct MatchedMessage: Sendable {
    let id: Int64
    let batchID: Int64
    let owner: String
    let method: BounceMatchMethod
}
