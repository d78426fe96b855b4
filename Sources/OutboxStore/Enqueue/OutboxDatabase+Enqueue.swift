import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Enqueues one batch atomically: `produce` adds messages to the given writer, and
    /// either all of them are committed or — if anything throws — none. When `batchKey`
    /// is already known, `produce` is not called and nothing changes.
    ///
    /// - Parameters:
    ///   - batchKey: idempotency key of the whole batch.
    ///   - source: where the batch came from (file name), kept for operators.
    ///   - now: the enqueue time, Unix milliseconds.
    ///   - baseDirectory: directory relative attachment paths are resolved against.
    public func enqueue(
        batchKey: String?, source: String?, now: Int64, baseDirectory: String?,
        limits: IntakeLimits = IntakeLimits(), _ produce: (BatchWriter) throws -> Void
    ) throws -> EnqueueResult {
        try pool.writeWithoutTransaction { db in
            // A large batch touches index pages all over; keep them in memory (64 MiB)
            // instead of spilling and re-reading them through the WAL.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
            var result: EnqueueResult?
            try db.inTransaction(.immediate) {
                if let batchKey,
                    let row = try Row.fetchOne(db, sql: "SELECT id, message_count FROM batch WHERE batch_key = ?", arguments: [batchKey])
                {
                    result = EnqueueResult(batchID: row["id"], batchKey: batchKey, enqueued: row["message_count"],
                                           duplicates: 0, duplicateBatch: true, newContents: 0)
                    return .rollback
                }
                try db.execute(sql: "INSERT INTO batch (batch_key, source, created_at) VALUES (?, ?, ?)",
                               arguments: [batchKey, source, now])
                let batchID = db.lastInsertedRowID
                let writer = BatchWriter(db: db, batchID: batchID, now: now,
                                         files: AttachmentFileReader(baseDirectory: baseDirectory, maxBytes: limits.maxMessageBytes))
                try produce(writer)
                try db.execute(sql: "UPDATE batch SET message_count = ?, duplicate_count = ? WHERE id = ?",
                               arguments: [writer.enqueued, writer.duplicates, batchID])
                var detail = "\(writer.enqueued) message(s) enqueued"
                if writer.duplicates > 0 { detail += ", \(writer.duplicates) duplicate key(s) skipped" }
                if let source { detail += " from \(source)" }
                try EventLog.append(db, kind: .enqueued, at: now, batchID: batchID, detail: detail)
                result = EnqueueResult(batchID: batchID, batchKey: batchKey, enqueued: writer.enqueued,
                                       duplicates: writer.duplicates, duplicateBatch: false, newContents: writer.newContents)
                return .commit
            }
            return result!
        }
    }
}
