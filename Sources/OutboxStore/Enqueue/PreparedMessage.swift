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

/// A validated message whose attachments were read and hashed, in batch order (which
/// message first carries a content depends on it), with its bodies and new contents not yet
/// compressed: ``stored()`` does that, on any thread.
struct CollectedMessage: Sendable {
    let draft: MessageDraft
    let location: String
    let attachments: [CollectedAttachment]

    /// The message as written: bodies and new contents in their stored (compressed) form.
    func stored() -> PreparedMessage {
        PreparedMessage(draft: draft, location: location, attachments: attachments.map { $0.stored() },
                        textBody: StoredBytes.body(draft.textBody), htmlBody: StoredBytes.body(draft.htmlBody))
    }
}

/// An attachment resolved to its content hash, with the content's bytes when this is the
/// first message of the batch to carry it.
struct CollectedAttachment: Sendable {
    let sha256: String
    let bytes: [UInt8]?
    let filename: String
    let contentType: String?
    let contentID: String?
    let referenceField: String?

    func stored() -> PreparedAttachment {
        PreparedAttachment(sha256: sha256, content: bytes.map(StoredContent.init), filename: filename, contentType: contentType,
                           contentID: contentID, referenceField: referenceField)
    }
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
