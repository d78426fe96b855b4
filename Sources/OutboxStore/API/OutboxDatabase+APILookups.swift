import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Stores `bytes` as an attachment content a later batch can name by its reference.
    /// Storing the same bytes again writes nothing. A content no message uses is removed
    /// by the next purge, so a reference is meant to be used soon after the upload.
    public func storeContent(_ bytes: [UInt8]) throws -> StoredContentReference {
        let sha = SHA256.hex(of: bytes)
        let stored = StoredContent(bytes)
        do {
            let created = try pool.write { db in
                try db.execute(sql: "INSERT INTO content (sha256, size, data, encoding) VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
                               arguments: [sha, stored.size, stored.data, stored.encoding])
                return db.changesCount > 0
            }
            return StoredContentReference(contentRef: ContentReference.make(sha256: sha), sha256: sha, size: bytes.count, created: created)
        } catch let error as DatabaseError {
            throw StoreError.from(error, doing: "cannot store the attachment in \(path)", path: path)
        }
    }

    /// The id of the message with the application's key `key`, or nil.
    public func messageID(key: String) throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM message WHERE message_key = ?", arguments: [key]) }
    }

    /// The batch with idempotency key `key` and its messages' states (only those of
    /// `owners` when given), or nil when there is none — or none of those owners' mail in it.
    public func batch(key: String, owners: [String]? = nil) throws -> BatchSummary? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE batch_key = ?", arguments: [key]) else { return nil }
            let id: Int64 = row["id"]
            var sql = "SELECT state, COUNT(*) AS n FROM message WHERE batch_id = ?"
            var arguments: StatementArguments = [id]
            if let owners {
                sql += " AND owner IN (\(databaseQuestionMarks(count: owners.count)))"
                arguments += StatementArguments(owners)
            }
            var states: [String: Int] = [:]
            for stateRow in try Row.fetchAll(db, sql: sql + " GROUP BY state", arguments: arguments) { states[stateRow["state"]] = stateRow["n"] }
            if owners != nil, states.isEmpty { return nil }
            return BatchSummary(id: id, key: row["batch_key"], source: row["source"], createdAt: row["created_at"],
                                enqueued: row["message_count"], duplicates: row["duplicate_count"], states: states)
        }
    }
}

extension OutboxDatabase {
    /// When each of these messages was enqueued (Unix milliseconds), by id; purged ones are absent.
    public func enqueueTimes(messageIDs: [Int64]) throws -> [Int64: Int64] {
        guard !messageIDs.isEmpty else { return [:] }
        return try pool.read { db in
            var times: [Int64: Int64] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT id, created_at FROM message WHERE id IN (\(databaseQuestionMarks(count: messageIDs.count)))",
                                        arguments: StatementArguments(messageIDs))
            for row in rows { times[row["id"]] = row["created_at"] }
            return times
        }
    }
}
