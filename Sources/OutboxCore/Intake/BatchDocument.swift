/// A whole JSON batch: an optional idempotency key, defaults for every message, and the
/// messages. As JSON Lines, the first line may be `{"batch": {...}}` with the same
/// members except `messages`, and each further line is one message.
public struct BatchDocument: Decodable, Sendable {
    public var key: String?
    public var defaults: MessageFields
    public var messages: [MessageFields]

    public init(key: String? = nil, defaults: MessageFields = MessageFields(), messages: [MessageFields]) {
        self.key = key
        self.defaults = defaults
        self.messages = messages
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        try c.refuseUnknownKeys(MessageFields.knownKeys.union(["messages"]))
        key = try c.optional(String.self, "key")
        var defaults = try MessageFields(c)
        defaults.key = nil
        self.defaults = defaults
        messages = try c.decode([MessageFields].self, forKey: JSONKey("messages"))
    }
}

/// The optional first line of a JSON Lines batch: `{"batch": {"key": …, "owner": …, …}}`.
public struct BatchHeaderLine: Decodable, Sendable {
    public var key: String?
    public var defaults: MessageFields

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: JSONKey.self)
        try outer.refuseUnknownKeys(["batch"])
        let c = try outer.nestedContainer(keyedBy: JSONKey.self, forKey: JSONKey("batch"))
        try c.refuseUnknownKeys(MessageFields.knownKeys)
        key = try c.optional(String.self, "key")
        var defaults = try MessageFields(c)
        defaults.key = nil
        self.defaults = defaults
    }
}
