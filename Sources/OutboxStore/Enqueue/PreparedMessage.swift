import Foundation
import GRDB
import OutboxCore

/// A validated message with its attachments read and hashed and its bodies and new
/// contents in their stored (compressed) form, ready to be written.
public struct PreparedMessage: Sendable {
    public let draft: MessageDraft
    /// Names the message in errors, e.g. `batch.jsonl line 7`.
    public let location: String
    package let attachments: [PreparedAttachment]
    /// `text_body` and `html_body` as stored (``StoredBytes/body(_:)``).
    let textBody: DatabaseValue
    let htmlBody: DatabaseValue
}

/// An attachment resolved to its content hash. `content` is set only the first time a
/// content appears in the batch; later references carry just the hash.
package struct PreparedAttachment: Sendable {
    package let sha256: String
    package let content: StoredContent?
    package let filename: String
    package let contentType: String?
    /// Set for an inline image.
    package let contentID: String?
    /// For a content given by reference (`contentRef`): the field naming it, for the
    /// error when the content is not in the outbox.
    package let referenceField: String?
}

/// Attachment bytes as stored in `content`: `data` (compressed when `encoding` says so)
/// and the original `size`.
package struct StoredContent: Sendable {
    package let data: Data
    package let encoding: String?
    package let size: Int

    init(_ bytes: [UInt8]) {
        (data, encoding) = StoredBytes.content(bytes)
        size = bytes.count
    }
}
