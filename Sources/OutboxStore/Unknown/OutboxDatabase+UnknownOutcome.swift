import GRDB
import OutboxCore

extension OutboxDatabase {
    /// `next_attempt_at` of a parked message: never due, so never claimed, until resolved.
    public static let parkedUntil: Int64 = 253_402_300_799_000  // 9999-12-31T23:59:59Z

    /// Records the first step for an unknown outcome of `messageID` (inside the outcome's
    /// transaction, so a crash leaves either the old lease or the parked message with its step).
    static func parkUnknown(_ db: Database, messageID: Int64, owner: String, plan: DeliveryRecord.UnknownPlan, detail: String, now: Int64) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO unknown_outcome (message_id, owner, header_message_id, action, since, due_at, checks, detail)
            VALUES (?, ?, ?, ?, ?, ?, 0, ?)
            """, arguments: [messageID, owner, plan.headerMessageID, plan.action.rawValue, now, plan.dueAt, detail])
    }

    /// Every message with an unknown outcome not yet resolved, oldest first.
    public func unknownOutcomes() throws -> [UnknownOutcome] {
        try pool.read { db in try Row.fetchAll(db, sql: "\(Self.unknownSelect) ORDER BY since, message_id").map(Self.unknownOutcome) }
    }

    /// The unknown outcome of `messageID`, nil when it has none.
    public func unknownOutcome(messageID: Int64) throws -> UnknownOutcome? {
        try pool.read { db in try Row.fetchOne(db, sql: "\(Self.unknownSelect) WHERE message_id = ?", arguments: [messageID]).map(Self.unknownOutcome) }
    }

    /// Takes up to `limit` Sent-folder looks due by `now`, and moves each one's due time to
    /// `now + lease` first: a look cut short by a crash is made again after the lease, and two
    /// daemons never look for the same message at once.
    public func takeDueSentChecks(now: Int64, lease: Int64, limit: Int) throws -> [UnknownOutcome] {
        try pool.write { db in
            try Row.fetchAll(db, sql: """
                UPDATE unknown_outcome SET due_at = ?, checks = checks + 1
                WHERE message_id IN (SELECT message_id FROM unknown_outcome WHERE action = 'check-sent' AND due_at <= ?
                                     ORDER BY due_at LIMIT ?)
                RETURNING message_id, owner, header_message_id, action, since, due_at, checks, detail
                """, arguments: [now + lease, now, limit]).map(Self.unknownOutcome)
        }
    }

    /// Resolves (or takes the next step for) the unknown outcome of `messageID`, with one
    /// event: `sent` when the message was delivered, `resolved` when `byOperator`, else
    /// `unknown-checked`. Throws `.notFound` when the message has no unknown outcome (it was
    /// resolved meanwhile, or never had one); nothing is written then.
    public func resolveUnknown(messageID: Int64, _ resolution: UnknownResolution, byOperator: Bool = false, now: Int64) throws {
        try pool.write { db in
            guard let parked = try Row.fetchOne(db, sql: "\(Self.unknownSelect) WHERE message_id = ?", arguments: [messageID]).map(Self.unknownOutcome),
                try String.fetchOne(db, sql: "SELECT state FROM message WHERE id = ?", arguments: [messageID]) == MessageState.deferred.rawValue
            else {
                throw StoreError(.notFound, "message \(messageID) has no unknown outcome to resolve (see `outbox show \(messageID)`)")
            }
            let batchID = try Int64.fetchOne(db, sql: "SELECT batch_id FROM message WHERE id = ?", arguments: [messageID])
            func event(_ kind: EventKind, _ detail: String) throws {
                try EventLog.append(db, kind: kind, at: now, messageID: messageID, batchID: batchID, owner: parked.owner, detail: detail)
            }
            switch resolution {
            case .sent(let detail):
                try db.execute(sql: """
                    UPDATE message SET state = 'sent', finished_at = ?, updated_at = ?, last_error = NULL, next_attempt_at = ? WHERE id = ?
                    """, arguments: [now, now, now, messageID])
                try db.execute(sql: """
                    UPDATE recipient SET state = 'sent', last_reply = ?, updated_at = ? WHERE message_id = ? AND state IN ('pending','deferred')
                    """, arguments: [detail, now, messageID])
                try db.execute(sql: "DELETE FROM unknown_outcome WHERE message_id = ?", arguments: [messageID])
                if byOperator { try event(.resolved, "operator: sent — \(detail)") }
                try event(.sent, detail)
            case .resend(let at, let detail):
                try db.execute(sql: "UPDATE message SET next_attempt_at = ?, updated_at = ? WHERE id = ?", arguments: [at, now, messageID])
                try db.execute(sql: "DELETE FROM unknown_outcome WHERE message_id = ?", arguments: [messageID])
                try event(byOperator ? .resolved : .unknownChecked, detail)
            case .hold(let detail):
                try db.execute(sql: "UPDATE unknown_outcome SET action = 'hold', due_at = NULL, detail = ? WHERE message_id = ?",
                               arguments: [detail, messageID])
                try event(.unknownChecked, detail)
            case .checkAgain(let at, let detail):
                try db.execute(sql: "UPDATE unknown_outcome SET due_at = ?, detail = ? WHERE message_id = ?", arguments: [at, detail, messageID])
                try event(.unknownChecked, detail)
            }
        }
    }

    private static let unknownSelect = """
        SELECT message_id, owner, header_message_id, action, since, due_at, checks, detail FROM unknown_outcome
        """

    private static func unknownOutcome(_ row: Row) -> UnknownOutcome {
        UnknownOutcome(messageID: row[0], owner: row[1], headerMessageID: row[2],
                       action: UnknownOutcome.Action(rawValue: row[3]) ?? .hold, since: row[4], dueAt: row[5], checks: row[6], detail: row[7])
    }
}
