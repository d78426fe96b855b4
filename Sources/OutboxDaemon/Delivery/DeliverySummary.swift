/// What a run of the delivery engine did.
public struct DeliverySummary: Hashable, Sendable, CustomStringConvertible {
    public var sent = 0
    public var deferred = 0
    public var failed = 0
    /// Messages whose outcome became unknown (connection lost after the final ".").
    public var unknown = 0
    /// Messages put back because their profile was held.
    public var held = 0
    /// Messages put back because their owner reached a rate limit.
    public var rateLimited = 0
    /// Messages released unsent at shutdown.
    public var released = 0

    public init() {}

    public var description: String {
        "sent \(sent), deferred \(deferred), failed \(failed), unknown \(unknown), held \(held), rate-limited \(rateLimited), released \(released)"
    }
}
