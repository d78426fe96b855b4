import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Suppressed addresses, newest first: those active at `now`, or with `includeExpired`
    /// also those whose expiry passed (they no longer block sending).
    public func suppressions(now: Int64, includeExpired: Bool = false) throws -> [SuppressionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT address, reason, bounce_reason, event_id, bounce_id, created_at, expires_at FROM suppression s
                WHERE ?1 OR \(SuppressionList.activeCondition("s", now: "?2"))
                ORDER BY created_at DESC, address
                """, arguments: [includeExpired, now]).map {
                SuppressionRecord(address: $0["address"], reason: $0["reason"], bounceReason: $0["bounce_reason"], eventID: $0["event_id"],
                                  bounceID: $0["bounce_id"], createdAt: $0["created_at"], expiresAt: $0["expires_at"])
            }
        }
    }

    /// Puts `address` on the suppression list for good with a `suppressed` event (no
    /// message). Returns false, changing nothing, when it is already there for good.
    @discardableResult
    public func addSuppression(address: String, reason: String, now: Int64) throws -> Bool {
        let key = SuppressionAddress.normalise(address)
        guard key.contains("@"), !key.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError(.invalidState, "\"\(address)\" is not an e-mail address")
        }
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM suppression WHERE address = ? AND expires_at IS NULL", arguments: [key]) == nil else {
                    return false
                }
                try EventLog.append(db, kind: .suppressed, at: now, recipient: key, detail: "added to the suppression list by operator: \(reason)")
                return try SuppressionList.put(db, address: key, reason: reason, bounceReason: nil, eventID: db.lastInsertedRowID,
                                               bounceID: nil, expiresAt: nil, now: now)
            }
        }
    }

    /// Takes `address` off the suppression list (recorded as a `suppression-removed`
    /// event; soft bounces before it no longer count toward a new suppression). Returns
    /// false when it was not there.
    @discardableResult
    public func removeSuppression(address: String, now: Int64) throws -> Bool {
        let key = SuppressionAddress.normalise(address)
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM suppression WHERE address = ?", arguments: [key])
                guard db.changesCount > 0 else { return false }
                try db.execute(sql: "INSERT INTO event (at, kind, recipient, detail) VALUES (?, 'suppression-removed', ?, ?)",
                               arguments: [now, key, "removed from the suppression list by operator"])
                return true
            }
        }
    }

    /// Marks every not-yet-sent recipient (pending or deferred) of the messages `ids` whose
    /// address is actively suppressed at `now` as `suppressed`, with one `suppressed` event
    /// each, inside a transaction the caller holds (the claim). Returns how many were
    /// marked. Deciding what happens to a message left with no deliverable recipient is
    /// the caller's business. Then the recipients of letters who unsubscribed from the
    /// letter's owner (``suppressUnsubscribed(_:ofMessages:now:)``).
    static func suppressRecipients(_ db: Database, ofMessages ids: [Int64], now: Int64) throws -> Int {
        try suppressListed(db, ofMessages: ids, now: now) + suppressUnsubscribed(db, ofMessages: ids, now: now)
    }

    private static func suppressListed(_ db: Database, ofMessages ids: [Int64], now: Int64) throws -> Int {
        guard !ids.isEmpty,
              try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM suppression)")) == true else { return 0 }
        var total = 0
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let list = chunk.map(String.init).joined(separator: ",")
            let selected = """
                FROM recipient r JOIN message m ON m.id = r.message_id JOIN suppression s ON s.address = lower(trim(r.address))
                WHERE r.message_id IN (\(list)) AND r.state IN ('pending', 'deferred') AND \(SuppressionList.activeCondition("s", now: "?1"))
                """
            try db.execute(sql: """
                INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, reason, detail)
                SELECT ?1, 'suppressed', m.id, m.batch_id, m.owner, r.address, s.bounce_reason,
                    'not attempted: address is on the suppression list (' || s.reason ||
                    CASE WHEN s.expires_at IS NULL THEN '' ELSE ', until ' || strftime('%Y-%m-%d %H:%M:%SZ', s.expires_at / 1000, 'unixepoch') END || ')'
                \(selected)
                """, arguments: [now])
            try db.execute(sql: """
                UPDATE recipient SET state = 'suppressed', last_reply = 'on the suppression list', updated_at = ?1
                WHERE id IN (SELECT r.id \(selected))
                """, arguments: [now])
            total += db.changesCount
        }
        return total
    }
}
