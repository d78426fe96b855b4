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
