/// Everything about one message: summary, headers, recipients with their states,
/// attachments and the event timeline.
public struct MessageDetail: Sendable, Hashable, Codable {
    public struct Header: Sendable, Hashable, Codable {
        public let name: String
        public let value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
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

        package init(kind: String, address: String, displayName: String?, state: String, lastCode: Int?, lastReply: String?,
                     bounceReason: String?, bounceSeverity: String?) {
            self.kind = kind
            self.address = address
            self.displayName = displayName
            self.state = state
            self.lastCode = lastCode
            self.lastReply = lastReply
            self.bounceReason = bounceReason
            self.bounceSeverity = bounceSeverity
        }
    }

    public struct AttachmentEntry: Sendable, Hashable, Codable {
        public let filename: String
        public let contentType: String?
        public let sha256: String
        public let size: Int
        /// Set for an inline image (shown by the HTML as `cid:ID`).
        public let contentID: String?

        package init(filename: String, contentType: String?, sha256: String, size: Int, contentID: String?) {
            self.filename = filename
            self.contentType = contentType
            self.sha256 = sha256
            self.size = size
            self.contentID = contentID
        }
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

    package init(summary: MessageSummary, token: String, headers: [Header], textBytes: Int, htmlBytes: Int,
                 recipients: [RecipientEntry], attachments: [AttachmentEntry], events: [EventRecord]) {
        self.summary = summary
        self.token = token
        self.headers = headers
        self.textBytes = textBytes
        self.htmlBytes = htmlBytes
        self.recipients = recipients
        self.attachments = attachments
        self.events = events
    }
}
