/// Everything about one message: summary, headers, recipients with their states,
/// attachments and the event timeline.
public struct MessageDetail: Sendable, Hashable, Codable {
    public struct Header: Sendable, Hashable, Codable {
        public let name: String
        public let value: String
    }

    public struct RecipientEntry: Sendable, Hashable, Codable {
        public let kind: String
        public let address: String
        public let displayName: String?
        public let state: String
        public let lastCode: Int?
        public let lastReply: String?
        /// After a bounce: its reason (`userunknown`, `mailboxfull`, …) and `hard`/`soft`.
        public let bounceReason: String?
        public let bounceSeverity: String?
    }

    public struct AttachmentEntry: Sendable, Hashable, Codable {
        public let filename: String
        public let contentType: String?
        public let sha256: String
        public let size: Int
        /// Set for an inline image (shown by the HTML as `cid:ID`).
        public let contentID: String?
    }

    public let summary: MessageSummary
    /// Per-message token behind its Message-ID and bounce address.
    public let token: String
    public let headers: [Header]
    public let textBytes: Int
    public let htmlBytes: Int
    public let recipients: [RecipientEntry]
    public let attachments: [AttachmentEntry]
    public let events: [EventRecord]
}
