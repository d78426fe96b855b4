import GRDB
import OutboxCore

/// What an operator action changed.
public struct OperationResult: Sendable, Hashable, Codable {
    /// Messages changed.
    public let changed: Int
    /// Messages left alone because their state does not allow the action.
    public let skipped: Int
}

extension OutboxDatabase {
    /// Cancels a queued or deferred message. Throws `.invalidState` for any other state.
    public func cancel(messageID: Int64, now: Int64) throws -> OperationResult {
        try changeOne(messageID, allowed: ["queued", "deferred"], action: "cancelled", now: now) { db in
            try db.execute(sql: "UPDATE message SET state = 'cancelled', finished_at = ?, updated_at = ?, lease_owner = NULL WHERE id = ?",
                           arguments: [now, now, messageID])
            try EventLog.append(db, kind: .cancelled, at: now, messageID: messageID, detail: "cancelled by operator")
        }
    }

    /// Cancels every queued or deferred message of a batch.
    public func cancel(batchID: Int64, now: Int64) throws -> OperationResult {
        try changeBatch(batchID, allowed: "('queued','deferred')", kind: .cancelled, detail: "cancelled by operator (batch)", now: now,
                        update: "state = 'cancelled', finished_at = :now, updated_at = :now")
    }

    /// Makes a queued, deferred or failed message due now.
    public func retry(messageID: Int64, now: Int64) throws -> OperationResult {
        try changeOne(messageID, allowed: ["queued", "deferred", "failed"], action: "retried", now: now) { db in
            try db.execute(sql: """
                UPDATE message SET state = 'queued', next_attempt_at = ?, finished_at = NULL, updated_at = ? WHERE id = ?
                """, arguments: [now, now, messageID])
            try EventLog.append(db, kind: .retried, at: now, messageID: messageID, detail: "made due now by operator")
        }
    }

    /// Makes every queued, deferred or failed message of a batch due now.
    public func retry(batchID: Int64, now: Int64) throws -> OperationResult {
        try changeBatch(batchID, allowed: "('queued','deferred','failed')", kind: .retried, detail: "made due now by operator (batch)", now: now,
                        update: "state = 'queued', next_attempt_at = :now, finished_at = NULL, updated_at = :now")
    }

    /// Deletes finished messages (sent, failed, cancelled) finished before `cutoff`, with
    /// their recipients, attachment links and events, and content no message uses any
    /// more. Queued, deferred and sending messages are never touched.
    public func purge(finishedBefore cutoff: Int64, now: Int64) throws -> OperationResult {
        try purge(finishedBefore: cutoff, now: now, chunk: Int.max) { _, _ in }
    }

    private func changeOne(_ id: Int64, allowed: Set<String>, action: String, now: Int64, apply: (Database) throws -> Void) throws -> OperationResult {
        try pool.write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM message WHERE id = ?", arguments: [id]) else {
                throw StoreError(.notFound, "no message with id \(id)")
            }
            guard allowed.contains(state) else {
                throw StoreError(.invalidState, "message \(id) is \(state); only \(allowed.sorted().joined(separator: " or ")) messages can be \(action)")
            }
            try apply(db)
            return OperationResult(changed: 1, skipped: 0)
        }
    }

    private func changeBatch(_ batchID: Int64, allowed: String, kind: EventKind, detail: String, now: Int64, update: String) throws -> OperationResult {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM batch WHERE id = ?", arguments: [batchID]) != nil else {
                throw StoreError(.notFound, "no batch with id \(batchID)")
            }
            let arguments: StatementArguments = ["batch": batchID, "now": now, "kind": kind.rawValue, "detail": detail]
            try db.execute(sql: """
                INSERT INTO event (at, kind, message_id, batch_id, owner, detail)
                SELECT :now, :kind, id, batch_id, owner, :detail FROM message WHERE batch_id = :batch AND state IN \(allowed)
                """, arguments: arguments)
            try db.execute(sql: "UPDATE message SET \(update) WHERE batch_id = :batch AND state IN \(allowed)", arguments: arguments)
            let changed = db.changesCount
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE batch_id = ?", arguments: [batchID]) ?? 0
            return OperationResult(changed: changed, skipped: total - changed)
        }
    }
}
