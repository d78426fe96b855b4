import Foundation
import GRDB
import OutboxCore

/// A validated message with its attachments read and hashed and its bodies and new
/// contents in their stored (compressed) form, ready to be written.
public struct PreparedMessage: Sendable {
    public let draft: MessageDraft
    /// Names the message in errors, e.g. `batch.jsonl line 7`.
    public let location: String
    let attachments: [PreparedAttachment]
    /// `text_body` and `html_body` as stored (``StoredBytes/body(_:)``).
    let textBody: DatabaseValue
    let htmlBody: DatabaseValue
}

/// An attachment resolved to its content hash. `content` is set only the first time a
/// content appears in the batch; later references carry just the hash.
struct PreparedAttachment: Sendable {
    let sha256: String
    let content: StoredContent?
    let filename: String
    let contentType: String?
    /// Set for an inline image.
    let contentID: String?
    /// For a content given by reference (`contentRef`): the field naming it, for the
    /// error when the content is not in the outbox.
    let referenceField: String?
}

/// Attachment bytes as stored in `content`: `data` (compressed when `encoding` says so)
/// and the original `size`.
struct StoredContent: Sendable {
    let data: Data
    let encoding: String?
    let size: Int

    init(_ bytes: [UInt8]) {
        (data, encoding) = StoredBytes.content(bytes)
        size = bytes.count
    }
}
