/// One address on the suppression list: messages to it are not attempted.
public struct SuppressionRecord: Sendable, Hashable, Codable {
    /// Lower-cased address.
    public let address: String
    /// Why: `hard bounce 5.1.1`, or the operator's words.
    public let reason: String
    /// The event that put it there (the `bounced` event), if any.
    public let eventID: Int64?
    /// Unix milliseconds.
    public let createdAt: Int64
}
