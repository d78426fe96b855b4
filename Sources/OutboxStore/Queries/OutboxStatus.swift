/// Queue figures for `outbox status`.
public struct OutboxStatus: Sendable, Hashable, Codable {
    public struct Count: Sendable, Hashable, Codable {
        public let owner: String
        public let state: String
        public let count: Int

        package init(owner: String, state: String, count: Int) {
            self.owner = owner
            self.state = state
            self.count = count
        }
    }

    /// Messages per owner and state (only non-zero entries).
    public let counts: [Count]
    /// Messages per state over all owners.
    public let totals: [String: Int]
    /// Creation time of the oldest queued message (Unix milliseconds), if any.
    public let oldestQueuedAt: Int64?
    /// The most recent event, if any.
    public let lastEvent: EventRecord?

    package init(counts: [Count], totals: [String: Int], oldestQueuedAt: Int64?, lastEvent: EventRecord?) {
        self.counts = counts
        self.totals = totals
        self.oldestQueuedAt = oldestQueuedAt
        self.lastEvent = lastEvent
    }
}
