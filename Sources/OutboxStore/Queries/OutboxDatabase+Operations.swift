import GRDB
import OutboxCore

/// What an operator action changed.
public struct OperationResult: Sendable, Hashable, Codable {
    /// Messages changed.
    public let changed: Int
    /// Messages left alone because their state does not allow the action.
    public let skipped: Int
    /// Of the skipped: messages a retry left alone because they are past their `expiresAt` (no new one was given).
    public var expired = 0
}

/// What a retry does to the messages' `expiresAt`.
public enum RetryExpiry: Sendable, Hashable {
    /// Keeps it; a message already past it is not retried (it would fail as expired at once).
    case keep
    /// A new expiry, Unix milliseconds (after now), for every message retried.
    case at(Int64)
    /// No expiry any more.
    case none

    /// `expires_at = …` of the UPDATE; `:expiry` is bound to ``value``.
    var assignment: String {
        if case .keep = self { return "expires_at = expires_at" }
        return "expires_at = :expiry"
    }

    /// The refusal to retry message `id` as it is, past its `expiresAt`.
    public static func pastExpiry(_ id: Int64, _ expiresAt: Int64) -> StoreError {
        StoreError(.expired, "message \(id) is past its expiresAt \(OutboxDatabase.rfc3339(expiresAt)) and would fail as expired again at once; give it a later expiry (or none) to retry it")
    }

    var value: Int64? { if case .at(let time) = self { time } else { nil } }

    /// The `retried` event detail's addition.
    public var detail: String {
        switch self {
        case .keep: ""
        case .at(let time): "; expires \(OutboxDatabase.rfc3339(time))"
        case .none: "; no expiry"
        }
    }
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

    /// Makes a queued, deferred or failed message due now; its failed recipients are open
    /// again (those sent, bounced or suppressed stay as they are). A message past its
    /// `expiresAt` is refused (`.expired`) unless `expiry` gives a new one or none.
    public func retry(messageID: Int64, now: Int64, expiry: RetryExpiry = .keep) throws -> OperationResult {
        try changeOne(messageID, allowed: ["queued", "deferred", "failed"], action: "retried", now: now) { db in
            if expiry == .keep, let expiresAt = try Int64.fetchOne(db, sql: "SELECT expires_at FROM message WHERE id = ?", arguments: [messageID]),
                expiresAt <= now {
                throw RetryExpiry.pastExpiry(messageID, expiresAt)
            }
            let arguments: StatementArguments = ["id": messageID, "now": now, "expiry": expiry.value]
            try db.execute(sql: """
                UPDATE message SET state = 'queued', next_attempt_at = :now, finished_at = NULL, updated_at = :now, \(expiry.assignment) WHERE id = :id
                """, arguments: arguments)
            try db.execute(sql: "UPDATE recipient SET state = 'pending', updated_at = :now WHERE message_id = :id AND state = 'failed'", arguments: arguments)
            try EventLog.append(db, kind: .retried, at: now, messageID: messageID, detail: "made due now by operator" + expiry.detail)
        }
    }

    /// Makes every queued, deferred or failed message of a batch due now, as ``retry(messageID:now:expiry:)``
    /// does one; with ``RetryExpiry/keep``, those past their `expiresAt` are left alone (counted in `expired`).
    public func retry(batchID: Int64, now: Int64, expiry: RetryExpiry = .keep) throws -> OperationResult {
        let current = expiry == .keep ? " AND (expires_at IS NULL OR expires_at > :now)" : ""
        var result = try changeBatch(batchID, allowed: "('queued','deferred','failed')" + current, kind: .retried,
                                     detail: "made due now by operator (batch)" + expiry.detail, now: now,
                                     update: "state = 'queued', next_attempt_at = :now, finished_at = NULL, updated_at = :now, \(expiry.assignment)",
                                     expiry: expiry.value, reopenFailedRecipients: true)
        if expiry == .keep {
            result.expired = try pool.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM message WHERE batch_id = ? AND state IN ('queued','deferred','failed') AND expires_at <= ?
                    """, arguments: [batchID, now]) ?? 0
            }
        }
        return result
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

    /// `allowed`: the states changed (`('queued','deferred')`), possibly followed by more conditions (`AND …`).
    private func changeBatch(_ batchID: Int64, allowed: String, kind: EventKind, detail: String, now: Int64, update: String,
                             expiry: Int64? = nil, reopenFailedRecipients: Bool = false) throws -> OperationResult {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM batch WHERE id = ?", arguments: [batchID]) != nil else {
                throw StoreError(.notFound, "no batch with id \(batchID)")
            }
            let arguments: StatementArguments = ["batch": batchID, "now": now, "kind": kind.rawValue, "detail": detail, "expiry": expiry]
            try db.execute(sql: """
                INSERT INTO event (at, kind, message_id, batch_id, owner, detail)
                SELECT :now, :kind, id, batch_id, owner, :detail FROM message WHERE batch_id = :batch AND state IN \(allowed)
                """, arguments: arguments)
            if reopenFailedRecipients {
                try db.execute(sql: """
                    UPDATE recipient SET state = 'pending', updated_at = :now
                    WHERE state = 'failed' AND message_id IN (SELECT id FROM message WHERE batch_id = :batch AND state IN \(allowed))
                    """, arguments: arguments)
            }
            try db.execute(sql: "UPDATE message SET \(update) WHERE batch_id = :batch AND state IN \(allowed)", arguments: arguments)
            let changed = db.changesCount
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE batch_id = ?", arguments: [batchID]) ?? 0
            return OperationResult(changed: changed, skipped: total - changed)
        }
    }
}
