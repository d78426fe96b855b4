/// A profile's sending pace after throttling replies (issue #18 part 2), as stored: level 0
/// is full speed; each level halves the connections and the rate.
public struct SendPaceRecord: Hashable, Sendable, Codable {
    public let owner: String
    public let level: Int
    /// No message of the owner is sent before this (Unix milliseconds).
    public let pausedUntil: Int64
    /// What caused the last slowdown, e.g. `gmail-4.7.28: 421 4.7.28 …`.
    public let reason: String
    public let updatedAt: Int64

    public init(owner: String, level: Int, pausedUntil: Int64, reason: String, updatedAt: Int64) {
        self.owner = owner
        self.level = level
        self.pausedUntil = pausedUntil
        self.reason = reason
        self.updatedAt = updatedAt
    }
}

/// Where profiles' send paces are kept: read when an engine starts (and, on a store several
/// nodes share, again every few seconds, so a slowdown one node met holds on all of them),
/// written at each change with a `paced` event.
public protocol PaceStore: Sendable {
    /// Every profile sending at a reduced pace, times on the caller's clock.
    func sendPaces() throws -> [SendPaceRecord]
    /// Records a change of a pace with a `paced` event; level 0 removes it (full speed again).
    func recordPace(_ pace: SendPaceRecord, detail: String, code: Int?, enhancedCode: String?) throws
}

extension OutboxDatabase: PaceStore {}
