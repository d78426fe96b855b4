import OutboxCore

/// A validated message with its attachments read and hashed, ready to be written.
public struct PreparedMessage: Sendable {
    public let draft: MessageDraft
    /// Names the message in errors, e.g. `batch.jsonl line 7`.
    public let location: String
    let attachments: [PreparedAttachment]
}

/// An attachment resolved to its content hash. `bytes` is set only the first time a
/// content appears in the batch; later references carry just the hash.
struct PreparedAttachment: Sendable {
    let sha256: String
    let bytes: [UInt8]?
    let filename: String
    let contentType: String?
}
