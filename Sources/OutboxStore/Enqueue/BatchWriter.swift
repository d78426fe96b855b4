import Foundation
import GRDB
import OutboxCore

/// Writes the messages of one batch inside the enqueue transaction. Given to the
/// closure of ``OutboxDatabase/enqueue(batchKey:source:now:attachments:limits:_:)``;
/// it must not escape it. Anything thrown rolls the whole batch back.
public final class BatchWriter {
    private let db: Database
    private let batchID: Int64
    private let now: Int64
    private let preparer: AttachmentPreparer
    private var keysInBatch: [String: String] = [:]
    private var storedContents = Set<String>()
    private(set) var enqueued = 0
    private(set) var duplicates = 0
    private(set) var newContents = 0

    init(db: Database, batchID: Int64, now: Int64, files: AttachmentFileReader) {
        self.db = db
        self.batchID = batchID
        self.now = now
        self.preparer = AttachmentPreparer(files: files)
    }

    /// Stores one validated message; `location` names it in errors (e.g. `line 7`).
    /// A message whose key is already in the outbox is skipped and counted as a duplicate.
    public func add(_ draft: MessageDraft, location: String) throws {
        try add(preparer.prepare(draft, location: location))
    }

    /// Stores a message whose attachments were already read and hashed.
    func add(_ message: PreparedMessage) throws {
        let draft = message.draft
        if let key = draft.key {
            if let first = keysInBatch[key] {
                throw IntakeError(.duplicateKey, location: message.location, field: "key",
                                  "key '\(key)' is used twice in this batch (first at \(first))")
            }
            keysInBatch[key] = message.location
            let existing = try db.cachedStatement(sql: "SELECT 1 FROM message WHERE message_key = ?")
            if try Int.fetchOne(existing, arguments: [key]) != nil {
                duplicates += 1
                return
            }
        }
        for attachment in message.attachments {
            if let bytes = attachment.bytes { try insertContent(sha: attachment.sha256, bytes: bytes) }
        }

        let insertMessage = try db.cachedStatement(sql: """
            INSERT INTO message (batch_id, message_key, owner, priority, token, subject, text_body, html_body,
                                 headers, next_attempt_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insertMessage.execute(arguments: [
            batchID, draft.key, draft.owner, draft.priority, newToken(), draft.subject, draft.textBody,
            draft.htmlBody, HeaderCoding.encode(draft.headers), now, now, now,
        ])
        let messageID = db.lastInsertedRowID

        let insertRecipient = try db.cachedStatement(sql: """
            INSERT INTO recipient (message_id, kind, address, display_name, updated_at) VALUES (?, ?, ?, ?, ?)
            """)
        for recipient in draft.recipients {
            try insertRecipient.execute(arguments: [
                messageID, recipient.kind.rawValue, recipient.mailbox.address, recipient.mailbox.displayName, now,
            ])
        }
        let insertLink = try db.cachedStatement(sql: """
            INSERT INTO attachment (message_id, position, sha256, filename, content_type) VALUES (?, ?, ?, ?, ?)
            """)
        for (position, link) in message.attachments.enumerated() {
            try insertLink.execute(arguments: [messageID, position, link.sha256, link.filename, link.contentType])
        }
        enqueued += 1
    }

    private func insertContent(sha: String, bytes: [UInt8]) throws {
        guard storedContents.insert(sha).inserted else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO content (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT(sha256) DO NOTHING
            """)
        try insert.execute(arguments: [sha, bytes.count, Data(bytes)])
        if db.changesCount > 0 { newContents += 1 }
    }

    private var sequence: UInt64 = 0

    /// The stable per-message token behind Message-ID and VERP: enqueue time, a sequence
    /// number and 64 random bits, in hex. Time-ordered so the token index grows at its
    /// end instead of taking random inserts.
    func newToken() -> String {
        sequence += 1
        var generator = SystemRandomNumberGenerator()
        return Self.hex(UInt64(bitPattern: now), digits: 11) + Self.hex(sequence, digits: 7) + Self.hex(generator.next(), digits: 16)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? String(text.suffix(digits)) : String(repeating: "0", count: digits - text.count) + text
    }
}
