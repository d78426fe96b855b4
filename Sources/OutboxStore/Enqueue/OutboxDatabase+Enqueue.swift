import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Enqueues one batch atomically: `produce` adds messages to the given writer, and
    /// either all of them are committed or — if anything throws — none. When `batchKey`
    /// is already known, `produce` is not called and nothing changes. A batch without
    /// messages is refused (``IntakeError/Code/noMessages``).
    ///
    /// - Parameters:
    ///   - batchKey: idempotency key of the whole batch.
    ///   - source: where the batch came from (file name), kept for operators.
    ///   - now: the enqueue time, Unix milliseconds.
    ///   - attachments: which files attachments may be read from.
    public func enqueue(
        batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy,
        limits: IntakeLimits = IntakeLimits(), _ produce: (BatchWriter) throws -> Void
    ) throws -> EnqueueResult {
        try inBatchTransaction(batchKey: batchKey, source: source, now: now, attachments: attachments, limits: limits) { writer, _ in
            try produce(writer)
        }
    }

    /// Like ``enqueue(batchKey:source:now:attachments:limits:_:)`` with attachment files
    /// confined to `baseDirectory` (nil: no attachment files), the command line's default.
    public func enqueue(
        batchKey: String?, source: String?, now: Int64, baseDirectory: String?,
        limits: IntakeLimits = IntakeLimits(), _ produce: (BatchWriter) throws -> Void
    ) throws -> EnqueueResult {
        let policy = AttachmentPolicy(roots: baseDirectory.map { [$0] } ?? [], baseDirectory: baseDirectory)
        return try enqueue(batchKey: batchKey, source: source, now: now, attachments: policy, limits: limits, produce)
    }

    /// Like ``enqueue(batchKey:source:now:attachments:limits:_:)``, but `produce` runs
    /// on a thread of its own — parsing, validating, reading and hashing attachments —
    /// while this thread writes to SQLite, so a large batch uses two cores. Compressing the
    /// bodies and new contents falls to whichever side has time (``MessageSink/flush()``).
    /// Still one transaction: an error on either side rolls everything back.
    public func enqueuePipelined(
        batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy,
        limits: IntakeLimits = IntakeLimits(), _ produce: @escaping @Sendable (MessageSink) throws -> Void
    ) throws -> EnqueueResult {
        try inBatchTransaction(batchKey: batchKey, source: source, now: now, attachments: attachments, limits: limits) { writer, files in
            // Eight chunks of 64 in flight at most: peak RSS grows with the messages held here.
            let queue = HandoffQueue<PipelinedMessage>(capacity: 8)
            let sink = MessageSink(queue: queue, preparer: AttachmentPreparer(files: files))
            let done = DispatchSemaphore(value: 0)
            let producer = Thread {
                do {
                    try produce(sink)
                    try sink.flush()
                    queue.finish()
                } catch {
                    queue.fail(error)
                }
                done.signal()
            }
            producer.stackSize = 4 << 20
            producer.start()
            do {
                while let chunk = try queue.pop() {
                    for message in chunk { try writer.add(message.stored()) }
                }
            } catch {
                queue.fail(error)
                done.wait()
                throw error
            }
            done.wait()
        }
    }

    private func inBatchTransaction(
        batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, limits: IntakeLimits,
        _ body: (BatchWriter, AttachmentFileReader) throws -> Void
    ) throws -> EnqueueResult {
        do {
            return try write(batchKey: batchKey, source: source, now: now, attachments: attachments, limits: limits, body)
        } catch let error as DatabaseError {
            throw StoreError.from(error, doing: "cannot write the batch to \(path)", path: path)
        }
    }

    private func write(
        batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, limits: IntakeLimits,
        _ body: (BatchWriter, AttachmentFileReader) throws -> Void
    ) throws -> EnqueueResult {
        try pool.writeWithoutTransaction { db in
            // A large batch touches index pages all over; keep them in memory (32 MiB)
            // instead of spilling and re-reading them through the WAL.
            let writerCache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? OutboxDatabase.writerCacheSize
            try db.execute(sql: "PRAGMA cache_size = -32768")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(writerCache)") }
            // SQLite checks a CHECK (x IN (three or more values)) by building a temporary
            // b-tree of the values for every row: four per message (message.state and .kind,
            // recipient.kind and .state), half the writer's instructions (callgrind). The
            // enqueue writes only values it spells itself (Swift enums, the columns'
            // defaults), so the checks are off while it writes and on again after, before
            // the connection does anything else; `PRAGMA integrity_check` still verifies them.
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            defer { try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF") }
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
                let files = AttachmentFileReader(policy: attachments, maxBytes: limits.maxMessageBytes)
                let writer = BatchWriter(db: db, batchID: batchID, now: now, files: files)
                try body(writer, files)
                guard writer.enqueued + writer.duplicates > 0 else {
                    throw BatchWriter.noMessages(source: source)
                }
                try writer.finish()
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
