/// What ingesting one message at a bounce door recorded.
public struct BounceIngestResult: Sendable, Hashable, Codable {
    /// The `bounce` row holding the raw bytes (the existing row for a duplicate).
    public let bounceID: Int64
    /// True when these exact bytes were already recorded; nothing new was written.
    public let duplicate: Bool
    /// The parser's verdict (`deliveryFailure`, `delayWarning`, `autoReply`, …).
    public let kind: String
    /// The message the bounce was matched to, if any.
    public let messageID: Int64?
    /// How it was matched.
    public let matchedBy: BounceMatchMethod?
    /// Events written, in order.
    public let events: [Entry]
    /// Addresses newly put on the suppression list (or made permanent).
    public let suppressed: [String]
    /// Owners charged with a sender problem (`blocked`, `spamdetected`, …) by this bounce.
    public let senderProblems: [String]

    /// One event written for the bounce.
    public struct Entry: Sendable, Hashable, Codable {
        public let eventID: Int64
        public let kind: String
        public let messageID: Int64?
        public let recipient: String?
        public let enhancedCode: String?
        /// The ``BounceReason`` (`mailboxfull`, `userunknown`, …) of a bounce or complaint event.
        public let reason: String?
        /// `hard` or `soft` for a bounce event.
        public let severity: String?
    }
}
