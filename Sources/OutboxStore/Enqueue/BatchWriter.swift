import Foundation
import GRDB
import OutboxCore

/// Writes the messages of one batch inside the enqueue transaction. Given to the
/// closure of ``OutboxDatabase/enqueue(batchKey:source:now:attachments:limits:_:)``;
/// it must not escape it. Anything thrown rolls the whole batch back.
///
/// Memory stays flat however many messages a batch has: keys are checked against the
/// database's unique key index (a key met again in the same batch is found there too,
/// with this batch's id), and only the messages' locations are kept, compactly, to name
/// the first occurrence of such a key.
public final class BatchWriter {
    private let db: Database
    private let batchID: Int64
    private let now: Int64
    private let preparer: AttachmentPreparer
    private var storedContents = Set<String>()
    /// Locations of the messages written, in the order of their ids from `firstMessageID`.
    private var locations = MessageLocations()
    private var firstMessageID: Int64?
    /// Messages written per owner: added to `message_count` once, at ``finish()``.
    private var queuedByOwner: [String: Int] = [:]
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
        for attachment in message.attachments {
            if let content = attachment.content { try insertContent(sha: attachment.sha256, content) }
            if let field = attachment.referenceField { try checkStoredContent(attachment.sha256, location: message.location, field: field) }
        }
        // The key's unique index decides: DO NOTHING when the key is already there.
        let insertMessage = try db.cachedStatement(sql: """
            INSERT INTO message (batch_id, message_key, owner, priority, token, subject, text_body, html_body,
                                 headers, next_attempt_at, created_at, updated_at, kind, not_before, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_key) WHERE message_key IS NOT NULL DO NOTHING
            """)
        try insertMessage.run(
            .integer(batchID), .text(draft.key), .text(draft.owner), .integer(Int64(draft.priority)), .text(newToken()),
            .text(draft.subject), .stored(message.textBody), .stored(message.htmlBody), .text(HeaderCoding.encode(draft.headers)),
            .integer(max(now, draft.notBefore ?? now)), .integer(now), .integer(now), .text(draft.kind.rawValue),
            .integer(draft.notBefore), .integer(draft.expiresAt))
        guard db.changesCount > 0 else {
            try skipDuplicate(message)
            return
        }
        let messageID = db.lastInsertedRowID
        if firstMessageID == nil { firstMessageID = messageID }
        locations.append(message.location)

        let insertRecipient = try db.cachedStatement(sql: """
            INSERT INTO recipient (message_id, kind, address, display_name, updated_at) VALUES (?, ?, ?, ?, ?)
            """)
        for recipient in draft.recipients {
            try insertRecipient.run(.integer(messageID), .text(recipient.kind.rawValue), .text(recipient.mailbox.address),
                                    .text(recipient.mailbox.displayName), .integer(now))
        }
        let insertLink = try db.cachedStatement(sql: """
            INSERT INTO attachment (message_id, position, sha256, filename, content_type, content_id) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for (position, link) in message.attachments.enumerated() {
            try insertLink.run(.integer(messageID), .integer(Int64(position)), .text(link.sha256), .text(link.filename),
                               .text(link.contentType), .text(link.contentID))
        }
        if draft.kind.isUnsubscribable { try UnsubscribeTokens.issue(db, for: draft, messageID: messageID, now: now) }
        queuedByOwner[draft.owner, default: 0] += 1
        enqueued += 1
    }

    /// The message's key is already in the outbox: skipped when an earlier batch wrote it,
    /// refused when this batch did.
    private func skipDuplicate(_ message: PreparedMessage) throws {
        let key = message.draft.key ?? ""
        let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, batch_id FROM message WHERE message_key = ?"),
                                        arguments: [key])
        guard let existing, (existing["batch_id"] as Int64) == batchID else {
            duplicates += 1
            return
        }
        let first = firstMessageID.flatMap { locations[Int((existing["id"] as Int64) - $0)] }
        throw Self.keyUsedTwice(key, location: message.location, first: first)
    }

    /// The refusal of a message key given twice in one batch.
    package static func keyUsedTwice(_ key: String, location: String, first: String?) -> IntakeError {
        IntakeError(.duplicateKey, location: location, field: "key", "key '\(key)' is used twice in this batch" + (first.map { " (first at \($0))" } ?? ""))
    }

    /// The refusal of a batch without messages.
    package static func noMessages(source: String?) -> IntakeError {
        IntakeError(.noMessages, location: source ?? "batch", field: nil, "the batch has no messages")
    }

    /// Adds the batch's messages to the live counts (`message_count`), once per owner.
    func finish() throws {
        let add = try db.cachedStatement(sql: """
            INSERT INTO message_count (owner, state, n) VALUES (?, 'queued', ?)
                ON CONFLICT (owner, state) DO UPDATE SET n = n + excluded.n
            """)
        for (owner, count) in queuedByOwner { try add.execute(arguments: [owner, count]) }
        queuedByOwner.removeAll()
    }

    private func insertContent(sha: String, _ content: StoredContent) throws {
        guard storedContents.insert(sha).inserted else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO content (sha256, size, data, encoding) VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING
            """)
        try insert.execute(arguments: [sha, content.size, content.data, content.encoding])
        if db.changesCount > 0 { newContents += 1 }
    }

    /// A content given by reference must be in the outbox (uploaded, or attached before).
    private func checkStoredContent(_ sha: String, location: String, field: String) throws {
        guard !storedContents.contains(sha) else { return }
        let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM content WHERE sha256 = ?)"), arguments: [sha]) ?? false
        guard exists else { throw Self.contentNotStored(sha, location: location, field: field) }
        storedContents.insert(sha)
    }

    /// The error for a content reference (`contentRef`) that names nothing in the outbox.
    package static func contentNotStored(_ sha: String, location: String, field: String) -> IntakeError {
        IntakeError(.attachmentMissing, location: location, field: field,
                    "no content \(ContentReference.make(sha256: sha)) is stored; upload it with POST /v1/attachments first")
    }

    private var sequence: UInt64 = 0

    /// The stable per-message token behind Message-ID and VERP: enqueue time, a sequence
    /// number and 64 random bits, in hex. Time-ordered so the token index grows at its
    /// end instead of taking random inserts.
    func newToken() -> String {
        sequence += 1
        return Self.token(now: now, sequence: sequence)
    }

    /// The token for the `sequence`-th message of a batch enqueued at `now` (any store).
    package static func token(now: Int64, sequence: UInt64) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(UInt64(bitPattern: now), digits: 11) + hex(sequence, digits: 7) + hex(generator.next(), digits: 16)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? String(text.suffix(digits)) : String(repeating: "0", count: digits - text.count) + text
    }
}
