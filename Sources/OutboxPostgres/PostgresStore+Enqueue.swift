import Foundation
import OutboxCore
import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// Enqueues one batch in one transaction, as ``OutboxStore/QueueStore`` says. The batch
    /// key's unique index decides between two nodes enqueueing the same batch at once: the
    /// second waits for the first and then finds the batch. On commit, `NOTIFY` wakes the
    /// nodes listening on ``enqueueChannel``. Letters (List-Unsubscribe) are refused for
    /// now: unsubscribe tokens are not stored on PostgreSQL yet.
    public func enqueue(batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, messages: [BatchEntry]) async throws -> EnqueueResult {
        guard !messages.isEmpty else { throw BatchWriter.noMessages(source: source) }
        if let letter = messages.first(where: { $0.draft.kind.isUnsubscribable }) {
            throw IntakeError(.invalidValue, location: letter.location, field: "kind",
                              "letters (List-Unsubscribe) are not supported on PostgreSQL yet; use an SQLite outbox for them")
        }
        let preparer = AttachmentPreparer(files: AttachmentFileReader(policy: attachments, maxBytes: IntakeLimits().maxMessageBytes))
        let prepared = try messages.map { try preparer.prepare($0.draft, location: $0.location) }
        let logger = logger
        return try await transaction { connection in
            var batchID: Int64?
            for try await id in try await connection.query("""
                INSERT INTO batch (batch_key, source, created_at) VALUES (\(batchKey), \(source), \(now))
                ON CONFLICT (batch_key) DO NOTHING RETURNING id
                """, logger: logger).decode(Int64.self) { batchID = id }
            guard let batchID else {
                // Known batch key: nothing is written (the transaction only read).
                for try await (id, count) in try await connection.query(
                    "SELECT id, message_count FROM batch WHERE batch_key = \(batchKey)", logger: logger).decode((Int64, Int).self) {
                    return EnqueueResult(batchID: id, batchKey: batchKey, enqueued: count, duplicates: 0, duplicateBatch: true, newContents: 0)
                }
                throw StoreError(.invalidState, "batch key \(batchKey ?? "") vanished during the enqueue")
            }
            var writer = PostgresBatchWriter(connection: connection, logger: logger, batchID: batchID, now: now)
            try await writer.storeContents(of: prepared)
            for message in prepared { try await writer.add(message) }
            try await writer.finish(source: source)
            return EnqueueResult(batchID: batchID, batchKey: batchKey, enqueued: writer.enqueued, duplicates: writer.duplicates,
                                 duplicateBatch: false, newContents: writer.newContents)
        }
    }
}

/// Writes the messages of one batch inside the enqueue transaction: one statement per
/// message (message and recipients together), one per attachment link and new content.
/// Counts go to `message_count_delta` (appended, never a contended row).
struct PostgresBatchWriter {
    let connection: PostgresConnection
    let logger: Logger
    let batchID: Int64
    let now: Int64
    private(set) var enqueued = 0
    private(set) var duplicates = 0
    private(set) var newContents = 0
    private var storedContents = Set<String>()
    /// Where each key of this batch was first seen, to name it when it comes again.
    private var keyLocations: [String: String] = [:]
    private var queuedByOwner: [String: Int] = [:]
    private var sequence: UInt64 = 0

    init(connection: PostgresConnection, logger: Logger, batchID: Int64, now: Int64) {
        self.connection = connection
        self.logger = logger
        self.batchID = batchID
        self.now = now
    }

    mutating func add(_ message: PreparedMessage) async throws {
        let draft = message.draft
        if let key = draft.key, let first = keyLocations[key] {
            throw BatchWriter.keyUsedTwice(key, location: message.location, first: first)
        }
        for attachment in message.attachments {
            if let field = attachment.referenceField { try await checkStoredContent(attachment.sha256, location: message.location, field: field) }
        }
        let kinds = draft.recipients.map(\.kind.rawValue), addresses = draft.recipients.map(\.mailbox.address)
        let names = draft.recipients.map { $0.mailbox.displayName ?? "" }
        var messageID: Int64?
        // The key's unique index decides: DO NOTHING when the key is already stored.
        for try await id in try await connection.query("""
            WITH m AS (
                INSERT INTO message (batch_id, message_key, owner, priority, token, subject, text_body, html_body,
                                     headers, next_attempt_at, created_at, updated_at, kind)
                VALUES (\(batchID), \(draft.key), \(draft.owner), \(draft.priority), \(newToken()), \(draft.subject), \(draft.textBody),
                        \(draft.htmlBody), \(HeaderCoding.encode(draft.headers)), \(now), \(now), \(now), \(draft.kind.rawValue))
                ON CONFLICT (message_key) DO NOTHING RETURNING id),
            r AS (
                INSERT INTO recipient (message_id, kind, address, display_name, updated_at)
                SELECT m.id, x.kind, x.address, NULLIF(x.name, ''), \(now)
                FROM m, unnest(\(kinds)::text[], \(addresses)::text[], \(names)::text[]) WITH ORDINALITY AS x(kind, address, name, n)
                ORDER BY x.n)
            SELECT id FROM m
            """, logger: logger).decode(Int64.self) { messageID = id }
        guard let messageID else {
            duplicates += 1  // stored by an earlier batch (a key of this batch was caught above)
            return
        }
        if let key = draft.key { keyLocations[key] = message.location }
        for (position, link) in message.attachments.enumerated() {
            try await connection.query("""
                INSERT INTO attachment (message_id, position, sha256, filename, content_type, content_id)
                VALUES (\(messageID), \(position), \(link.sha256), \(link.filename), \(link.contentType), \(link.contentID))
                """, logger: logger)
        }
        queuedByOwner[draft.owner, default: 0] += 1
        enqueued += 1
    }

    /// Adds the batch's counts, its `enqueued` event and the wake-up for listening nodes.
    mutating func finish(source: String?) async throws {
        guard enqueued + duplicates > 0 else { throw BatchWriter.noMessages(source: source) }
        if !queuedByOwner.isEmpty {
            try await connection.query("""
                INSERT INTO message_count_delta (owner, state, n)
                SELECT owner, 'queued', n FROM unnest(\(Array(queuedByOwner.keys))::text[], \(queuedByOwner.values.map(Int64.init))::bigint[]) AS x(owner, n)
                """, logger: logger)
        }
        try await connection.query("UPDATE batch SET message_count = \(enqueued), duplicate_count = \(duplicates) WHERE id = \(batchID)",
                                   logger: logger)
        var detail = "\(enqueued) message(s) enqueued"
        if duplicates > 0 { detail += ", \(duplicates) duplicate key(s) skipped" }
        if let source { detail += " from \(source)" }
        try await PostgresEvents.append(connection, logger: logger, kind: .enqueued, at: now, batchID: batchID, detail: detail)
        if enqueued > 0 {
            try await connection.query("SELECT pg_notify(\(PostgresStore.enqueueChannel), \(String(batchID)))", logger: logger)
        }
    }

    /// Stores the batch's new contents first, in hash order: two batches sharing contents
    /// then wait for each other instead of deadlocking on the content key.
    mutating func storeContents(of messages: [PreparedMessage]) async throws {
        var contents: [String: StoredContent] = [:]
        for message in messages {
            for attachment in message.attachments { if let content = attachment.content { contents[attachment.sha256] = content } }
        }
        for (sha, content) in contents.sorted(by: { $0.key < $1.key }) { try await insertContent(sha: sha, content) }
    }

    private mutating func insertContent(sha: String, _ content: StoredContent) async throws {
        guard storedContents.insert(sha).inserted else { return }
        let rows = try await connection.query("""
            INSERT INTO content (sha256, size, data, encoding) VALUES (\(sha), \(content.size), \(content.data), \(content.encoding))
            ON CONFLICT (sha256) DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows.decode(Int.self) { newContents += 1 }
    }

    private mutating func checkStoredContent(_ sha: String, location: String, field: String) async throws {
        guard !storedContents.contains(sha) else { return }
        var exists = false
        for try await _ in try await connection.query("SELECT 1 FROM content WHERE sha256 = \(sha)", logger: logger).decode(Int.self) { exists = true }
        guard exists else { throw BatchWriter.contentNotStored(sha, location: location, field: field) }
        storedContents.insert(sha)
    }

    /// The per-message token, made as on SQLite (unique across nodes by its random part).
    private mutating func newToken() -> String {
        sequence += 1
        return BatchWriter.token(now: now, sequence: sequence)
    }
}
