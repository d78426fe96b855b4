/// Where an attachment's bytes come from at enqueue time; they are copied into the outbox then.
public enum AttachmentContent: Hashable, Sendable {
    /// A file on disk, read once at enqueue.
    case file(path: String)
    /// Bytes given inline (decoded from base64).
    case inline([UInt8])
    /// Content stored before (`POST /v1/attachments`), by its SHA-256 in hex; it must
    /// still be in the outbox when the batch is written.
    case stored(sha256: String)
}

/// An attachment as submitted: its content, the file name the recipient sees, and an
/// optional MIME type (derived from the file name when sending if absent). With a
/// `contentID` it is an inline image the HTML body shows as `cid:ID`.
public struct AttachmentSource: Hashable, Sendable {
    public let content: AttachmentContent
    public let filename: String
    public let contentType: String?
    public let contentID: String?

    public init(content: AttachmentContent, filename: String, contentType: String?, contentID: String? = nil) {
        self.content = content
        self.filename = filename
        self.contentType = contentType
        self.contentID = contentID
    }

    /// How errors name it: `attachments[2]`, or `inline[logo]` for an inline image.
    public func field(index: Int) -> String {
        contentID.map { "inline[\($0)]" } ?? "attachments[\(index)]"
    }
}
