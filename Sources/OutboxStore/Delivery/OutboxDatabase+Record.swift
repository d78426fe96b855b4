import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Records one attempt of a leased message in one transaction: the message's new
    /// state, each recipient's result, an `attempt` event and the outcome event. Only the
    /// lease's owner may record; returns false (and changes nothing) when the message is
    /// no longer leased to `leaseOwner`.
    @discardableResult
    public func record(_ record: DeliveryRecord, messageID: Int64, leaseOwner: String, now: Int64) throws -> Bool {
        try self.record([PendingRecord(record, messageID: messageID)], leaseOwner: leaseOwner, now: now)[0]
    }

    /// Group commit: records several attempts in ONE transaction (one WAL sync), each as
    /// ``record(_:messageID:leaseOwner:now:)`` would. Returns, per entry, whether it was
    /// recorded (false: the message is no longer leased to `leaseOwner`).
    public func record(_ entries: [PendingRecord], leaseOwner: String, now: Int64) throws -> [Bool] {
        guard !entries.isEmpty else { return [] }
        return try pool.write { db in try entries.map { try Self.recordOne(db, $0, leaseOwner: leaseOwner, now: now) } }
    }

    private static func recordOne(_ db: Database, _ entry: PendingRecord, leaseOwner: String, now: Int64) throws -> Bool {
        let record = entry.record, messageID = entry.messageID
        let (state, next, finished) = record.messageChange(now: now)
        let clampsToExpiry = if case .deferred = record.verdict { true } else { false }
        // One statement finds the leased row and updates it (no separate SELECT per outcome). A retry
        // is never put after the message's expiresAt: the claim at that time fails it as expired. A
        // parked unknown outcome is left alone (it may have been delivered).
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            UPDATE message SET state = ?, attempts = attempts + 1,
                next_attempt_at = COALESCE(MIN(?, COALESCE(CASE WHEN ? THEN expires_at END, ?)), next_attempt_at),
                lease_owner = NULL, lease_expires_at = NULL, last_code = ?, last_error = ?, updated_at = ?, finished_at = ?
            WHERE id = ? AND state = 'sending' AND lease_owner = ?
            RETURNING batch_id, owner, attempts
            """), arguments: [state.rawValue, next, clampsToExpiry, next, record.code, record.verdict == .sent ? nil : record.text, now, finished,
                              messageID, leaseOwner])
        else { return false }
        let owner: String = row[1], batchID: Int64 = row[0], attempt: Int = row[2]
        for recipient in record.recipients {
            try db.cachedStatement(sql: """
                UPDATE recipient SET state = ?, last_code = ?, last_reply = ?, updated_at = ?
                WHERE message_id = ? AND address = ? AND state IN ('pending','deferred')
                """).execute(arguments: [recipient.state.rawValue, recipient.code, recipient.reply, now, messageID, recipient.address])
        }
        if let copy = record.sentHeader { try storeSentHeader(db, messageID: messageID, copy, now: now) }
        if case .unknown(let plan) = record.verdict {
            try parkUnknown(db, messageID: messageID, owner: owner, plan: plan, detail: record.text, now: now)
        } else if attempt > 1 {
            // A resent message that had an unknown outcome: that question is answered now.
            try db.cachedStatement(sql: "DELETE FROM unknown_outcome WHERE message_id = ?").execute(arguments: [messageID])
        }
        try EventLog.append(db, kind: .attempt, at: now, messageID: messageID, batchID: batchID, owner: owner,
                            code: record.code, enhancedCode: record.enhancedCode, detail: "attempt \(attempt)")
        try EventLog.append(db, kind: record.eventKind, at: now, messageID: messageID, batchID: batchID, owner: owner,
                            code: record.code, enhancedCode: record.enhancedCode,
                            reason: record.verdict == .expired ? MessageExpiry.reason : nil, detail: record.text)
        return true
    }
}
