/// Which messages `list` returns: all given conditions must hold. Results are in id
/// order; page with `afterID` (keyset pagination) and `limit`.
public struct MessageFilter: Sendable, Hashable {
    public var state: String?
    public var owner: String?
    public var batchID: Int64?
    /// Created at or after this time (Unix milliseconds).
    public var since: Int64?
    public var afterID: Int64?
    public var limit: Int

    public init(state: String? = nil, owner: String? = nil, batchID: Int64? = nil, since: Int64? = nil, afterID: Int64? = nil, limit: Int = 50) {
        self.state = state
        self.owner = owner
        self.batchID = batchID
        self.since = since
        self.afterID = afterID
        self.limit = limit
    }
}

/// Which events `events` returns, in id order.
public struct EventFilter: Sendable, Hashable {
    public var kind: String?
    public var messageID: Int64?
    public var batchID: Int64?
    public var owner: String?
    /// Only events of these owners (an API token limited to owners); nil: any.
    public var owners: [String]?
    public var since: Int64?
    public var afterID: Int64?
    public var limit: Int

    public init(kind: String? = nil, messageID: Int64? = nil, batchID: Int64? = nil, owner: String? = nil, owners: [String]? = nil,
                since: Int64? = nil, afterID: Int64? = nil, limit: Int = 100) {
        self.owners = owners
        self.kind = kind
        self.messageID = messageID
        self.batchID = batchID
        self.owner = owner
        self.since = since
        self.afterID = afterID
        self.limit = limit
    }

    /// Whether `event` is one this filter selects (as the stores' queries do; `limit` aside).
    public func matches(_ event: EventRecord) -> Bool {
        (kind == nil || event.kind == kind) && (messageID == nil || event.messageID == messageID)
            && (batchID == nil || event.batchID == batchID) && (owner == nil || event.owner == owner)
            && (owners.map { owners in event.owner.map(owners.contains) ?? false } ?? true)
            && (since.map { event.at >= $0 } ?? true) && (afterID.map { event.id > $0 } ?? true)
    }
}
