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
/// optional MIME type (derived from the file name when sending if absent).
public struct AttachmentSource: Hashable, Sendable {
    public let content: AttachmentContent
    public let filename: String
    public let contentType: String?

    public init(content: AttachmentContent, filename: String, contentType: String?) {
        self.content = content
        self.filename = filename
        self.contentType = contentType
    }
}
