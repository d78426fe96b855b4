import Foundation
import OutboxCore
import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// Enqueues one batch in one transaction, as ``OutboxStore/QueueStore`` says. The batch
    /// key's unique index decides between two nodes enqueueing the same batch at once: the
    /// second waits for the first and then finds the batch. On commit, `NOTIFY` wakes the
    /// nodes listening on ``enqueueChannel``. Each letter gets its unsubscribe token in the
    /// same transaction, as on SQLite. A batch key already known
    /// returns the stored batch before anything is read, as on SQLite (its attachment files
    /// are not looked at, and no batch id is used up).
    public func enqueue(batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, messages: [BatchEntry]) async throws -> EnqueueResult {
        try await enqueue(batchKey: batchKey, source: source, now: now, attachments: attachments, limits: IntakeLimits(), messages: messages)
    }

    /// ``enqueue(batchKey:source:now:attachments:messages:)`` with the intake limits of the
    /// caller (`outbox enqueue --max-message-bytes`): an attachment file over
    /// `limits.maxMessageBytes` is refused, as on SQLite.
    public func enqueue(batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, limits: IntakeLimits,
                        messages: [BatchEntry]) async throws -> EnqueueResult {
        if let known = try await knownBatch(batchKey) { return known }
        guard !messages.isEmpty else { throw BatchWriter.noMessages(source: source) }
        let preparer = AttachmentPreparer(files: AttachmentFileReader(policy: attachments, maxBytes: limits.maxMessageBytes))
        let prepared = try messages.map { try preparer.prepare($0.draft, location: $0.location) }
        let logger = logger
        return try await transaction { connection in
            var batchID: Int64?
            for try await id in try await connection.query("""
                INSERT INTO batch (batch_key, source, created_at) VALUES (\(batchKey), \(source), \(now))
                ON CONFLICT (batch_key) DO NOTHING RETURNING id
                """, logger: logger).decode(Int64.self) { batchID = id }
            guard let batchID else {
                // Enqueued by another node meanwhile: nothing is written (the transaction only read).
                if let known = try await Self.knownBatch(batchKey, connection: connection, logger: logger) { return known }
                throw StoreError(.invalidState, "batch key \(batchKey ?? "") vanished during the enqueue")
            }
            var writer = PostgresBatchWriter(connection: connection, logger: logger, batchID: batchID, now: now)
            try await writer.storeContents(of: prepared)
            try await writer.add(prepared)
            try await writer.finish(source: source)
            return EnqueueResult(batchID: batchID, batchKey: batchKey, enqueued: writer.enqueued, duplicates: writer.duplicates,
                                 duplicateBatch: false, newContents: writer.newContents)
        }
    }
}

extension PostgresStore {
    /// The stored batch of `batchKey` as an enqueue of it again reports it (`duplicateBatch`), or nil.
    private func knownBatch(_ batchKey: String?) async throws -> EnqueueResult? {
        guard batchKey != nil else { return nil }
        let logger = logger
        return try await client.withConnection { connection in try await Self.knownBatch(batchKey, connection: connection, logger: logger) }
    }

    fileprivate static func knownBatch(_ batchKey: String?, connection: PostgresConnection, logger: Logger) async throws -> EnqueueResult? {
        guard let batchKey else { return nil }
        for try await (id, count) in try await connection.query(
            "SELECT id, message_count FROM batch WHERE batch_key = \(batchKey)", logger: logger).decode((Int64, Int).self) {
            return EnqueueResult(batchID: id, batchKey: batchKey, enqueued: count, duplicates: 0, duplicateBatch: true, newContents: 0)
        }
        return nil
    }
}

/// Writes the messages of one batch inside the enqueue transaction: three statements per
/// chunk of up to 500 messages (messages, recipients, attachment links), a fourth for the
/// unsubscribe tokens of its letters, one per new content.
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

    /// Most messages written by one statement.
    static let chunkSize = 500

    /// Writes `messages` in chunks of up to ``chunkSize``: one statement for their message
    /// rows, one for their recipients and one for their attachment links. A chunk ends
    /// before a key it already holds, so a key met again is judged against what is stored,
    /// as on SQLite: refused when this batch wrote it, skipped when an earlier batch did.
    mutating func add(_ messages: [PreparedMessage]) async throws {
        var chunk: [PreparedMessage] = [], keys = Set<String>()
        for message in messages {
            if let key = message.draft.key, let first = keyLocations[key] {
                throw BatchWriter.keyUsedTwice(key, location: message.location, first: first)
            }
            for attachment in message.attachments {
                if let field = attachment.referenceField { try await checkStoredContent(attachment.sha256, location: message.location, field: field) }
            }
            if chunk.count == Self.chunkSize || message.draft.key.map({ !keys.insert($0).inserted }) == true {
                try await insert(chunk)
                chunk.removeAll(keepingCapacity: true)
                keys = Set(message.draft.key.map { [$0] } ?? [])
                if let key = message.draft.key, let first = keyLocations[key] {
                    throw BatchWriter.keyUsedTwice(key, location: message.location, first: first)
                }
            }
            chunk.append(message)
        }
        try await insert(chunk)
    }

    private mutating func insert(_ chunk: [PreparedMessage]) async throws {
        guard !chunk.isEmpty else { return }
        let drafts = chunk.map(\.draft)
        let tokens = drafts.map { _ in newToken() }
        let headers = drafts.map { HeaderCoding.encode($0.headers) }
        // The key's unique index decides: DO NOTHING for a key already stored. NULLs travel as flags.
        var inserted: [String: Int64] = [:]
        for try await (id, token) in try await connection.query("""
            INSERT INTO message (batch_id, message_key, owner, priority, token, subject, text_body, html_body,
                                 headers, next_attempt_at, created_at, updated_at, kind, not_before, expires_at)
            SELECT \(batchID), CASE WHEN x.has_key THEN x.key END, x.owner, x.priority, x.token, x.subject,
                CASE WHEN x.has_text THEN x.text END, CASE WHEN x.has_html THEN x.html END, CASE WHEN x.has_headers THEN x.headers END,
                GREATEST(\(now), COALESCE(NULLIF(x.not_before, -1), \(now))), \(now), \(now), x.kind,
                NULLIF(x.not_before, -1), NULLIF(x.expires_at, -1)
            FROM unnest(\(drafts.map { $0.key != nil })::boolean[], \(drafts.map { $0.key ?? "" })::text[], \(drafts.map(\.owner))::text[],
                        \(drafts.map { Int64($0.priority) })::bigint[], \(tokens)::text[], \(drafts.map(\.subject))::text[],
                        \(drafts.map { $0.textBody != nil })::boolean[], \(drafts.map { $0.textBody ?? "" })::text[],
                        \(drafts.map { $0.htmlBody != nil })::boolean[], \(drafts.map { $0.htmlBody ?? "" })::text[],
                        \(headers.map { $0 != nil })::boolean[], \(headers.map { $0 ?? "" })::text[], \(drafts.map(\.kind.rawValue))::text[],
                        \(drafts.map { $0.notBefore ?? -1 })::bigint[], \(drafts.map { $0.expiresAt ?? -1 })::bigint[])
                WITH ORDINALITY AS x(has_key, key, owner, priority, token, subject, has_text, text, has_html, html, has_headers, headers, kind,
                                     not_before, expires_at, n)
            ORDER BY x.n
            ON CONFLICT (message_key) DO NOTHING
            RETURNING id, token
            """, logger: logger).decode((Int64, String).self) { inserted[token] = id }

        var recipientMessages: [Int64] = [], recipientKinds: [String] = [], addresses: [String] = [], names: [String] = [], hasNames: [Bool] = []
        var linkMessages: [Int64] = [], positions: [Int64] = [], shas: [String] = [], filenames: [String] = []
        var types: [String] = [], hasTypes: [Bool] = [], contentIDs: [String] = [], hasContentIDs: [Bool] = []
        var letterTokens: [String] = [], letterAddresses: [String] = [], letterOwners: [String] = [], letterMessages: [Int64] = []
        for (message, token) in zip(chunk, tokens) {
            guard let id = inserted[token] else {
                duplicates += 1  // stored by an earlier batch
                continue
            }
            if let key = message.draft.key { keyLocations[key] = message.location }
            for recipient in message.draft.recipients {
                recipientMessages.append(id)
                recipientKinds.append(recipient.kind.rawValue)
                addresses.append(recipient.mailbox.address)
                names.append(recipient.mailbox.displayName ?? "")
                hasNames.append(recipient.mailbox.displayName != nil)
            }
            for (position, link) in message.attachments.enumerated() {
                linkMessages.append(id)
                positions.append(Int64(position))
                shas.append(link.sha256)
                filenames.append(link.filename)
                types.append(link.contentType ?? "")
                hasTypes.append(link.contentType != nil)
                contentIDs.append(link.contentID ?? "")
                hasContentIDs.append(link.contentID != nil)
            }
            if message.draft.kind.isUnsubscribable {
                let token = UnsubscribeToken.make(now: now)
                for address in UnsubscribeTokens.addresses(of: message.draft) {
                    letterTokens.append(token)
                    letterAddresses.append(address)
                    letterOwners.append(message.draft.owner)
                    letterMessages.append(id)
                }
            }
            queuedByOwner[message.draft.owner, default: 0] += 1
            enqueued += 1
        }
        if !recipientMessages.isEmpty {
            try await connection.query("""
                INSERT INTO recipient (message_id, kind, address, display_name, updated_at)
                SELECT x.message_id, x.kind, x.address, CASE WHEN x.has_name THEN x.name END, \(now)
                FROM unnest(\(recipientMessages)::bigint[], \(recipientKinds)::text[], \(addresses)::text[], \(hasNames)::boolean[], \(names)::text[])
                    WITH ORDINALITY AS x(message_id, kind, address, has_name, name, n)
                ORDER BY x.n
                """, logger: logger)
        }
        if !linkMessages.isEmpty {
            try await connection.query("""
                INSERT INTO attachment (message_id, position, sha256, filename, content_type, content_id)
                SELECT x.message_id, x.position, x.sha256, x.filename, CASE WHEN x.has_type THEN x.type END, CASE WHEN x.has_cid THEN x.cid END
                FROM unnest(\(linkMessages)::bigint[], \(positions)::bigint[], \(shas)::text[], \(filenames)::text[], \(hasTypes)::boolean[],
                            \(types)::text[], \(hasContentIDs)::boolean[], \(contentIDs)::text[])
                    AS x(message_id, position, sha256, filename, has_type, type, has_cid, cid)
                """, logger: logger)
        }
        if !letterTokens.isEmpty {
            try await connection.query("""
                INSERT INTO unsubscribe_token (token, address, owner, message_id)
                SELECT * FROM unnest(\(letterTokens)::text[], \(letterAddresses)::text[], \(letterOwners)::text[], \(letterMessages)::bigint[])
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
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

/// `outbox enqueue --dry-run` on a PostgreSQL outbox: the batch key, message keys and
/// stored contents looked up as on SQLite (``OutboxStore/EnqueueLookup``), each a read on
/// its own; the calling thread waits for it (a command's, never the pool's).
public struct PostgresEnqueueLookup: EnqueueLookup {
    public let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    public func batchID(key: String) throws -> Int64? {
        try read { store in
            try await store.client.withConnection { connection in
                for try await id in try await connection.query("SELECT id FROM batch WHERE batch_key = \(key)", logger: store.logger).decode(Int64.self) {
                    return id
                }
                return nil
            }
        }
    }

    public func hasMessage(key: String) throws -> Bool {
        try read { store in
            try await store.client.withConnection { connection in
                for try await _ in try await connection.query("SELECT 1 FROM message WHERE message_key = \(key)", logger: store.logger).decode(Int.self) {
                    return true
                }
                return false
            }
        }
    }

    public func storedContent(sha256: String) throws -> [UInt8]? {
        let row = try read { store in
            try await store.client.withConnection { connection -> (Data, String?, Int)? in
                for try await row in try await connection.query(
                    "SELECT data, encoding, size FROM content WHERE sha256 = \(sha256)", logger: store.logger).decode((Data, String?, Int).self) {
                    return row
                }
                return nil
            }
        }
        guard let (data, encoding, size) = row else { return nil }
        return try StoredBytes.content(data, encoding: encoding, size: size, sha256: sha256)
    }

    private func read<T: Sendable>(_ work: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        try store.waiting(work)
    }
}
