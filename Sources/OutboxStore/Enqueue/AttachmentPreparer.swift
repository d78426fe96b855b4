import Crypto
import OutboxCore

/// Reads and hashes the attachments of each message of one batch (on the parser thread of
/// a pipelined enqueue) and compresses its bodies and new contents (there, or on the
/// writer's thread). A file referenced by many messages is read once; a content seen before in
/// the batch is not carried (or compressed) again.
package final class AttachmentPreparer {
    private let files: AttachmentFileReader
    private var hashByPath: [String: String] = [:]
    private var seenContents = Set<String>()

    package init(files: AttachmentFileReader) {
        self.files = files
    }

    /// The message with its attachments read and hashed and its bodies and new contents
    /// compressed, ready to be written.
    package func prepare(_ draft: MessageDraft, location: String) throws -> PreparedMessage {
        try collect(draft, location: location).stored()
    }

    /// The message with its attachments read and hashed, in batch order, leaving the
    /// compression to ``CollectedMessage/stored()`` (on either thread of a pipelined enqueue).
    func collect(_ draft: MessageDraft, location: String) throws -> CollectedMessage {
        var collected: [CollectedAttachment] = []
        collected.reserveCapacity(draft.attachments.count)
        for (index, attachment) in draft.attachments.enumerated() {
            let sha: String
            var bytes: [UInt8]?
            switch attachment.content {
            case .file(let path):
                if let known = hashByPath[path] {
                    sha = known
                } else {
                    let data = try files.read(path, location: location, field: attachment.field(index: index) + ".path")
                    sha = Self.contentAddress(data)
                    hashByPath[path] = sha
                    bytes = data
                }
            case .inline(let data):
                sha = Self.contentAddress(data)
                bytes = data
            case .stored(let stored):
                // Checked by the writer, which can see the content table.
                collected.append(CollectedAttachment(sha256: stored, bytes: nil, filename: attachment.filename,
                                                     contentType: attachment.contentType, contentID: attachment.contentID,
                                                     referenceField: attachment.field(index: index) + ".contentRef"))
                continue
            }
            if !seenContents.insert(sha).inserted { bytes = nil }
            collected.append(CollectedAttachment(sha256: sha, bytes: bytes, filename: attachment.filename,
                                                 contentType: attachment.contentType, contentID: attachment.contentID, referenceField: nil))
        }
        return CollectedMessage(draft: draft, location: location, attachments: collected)
    }

    /// The lower-case hex SHA-256 that addresses a content: the same digest as
    /// OutboxCore's `SHA256`, computed by BoringSSL (callgrind: a fifth of the instructions).
    static func contentAddress(_ data: [UInt8]) -> String {
        Array(Crypto.SHA256.hash(data: data)).hexString
    }
}
