import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Every suppressed address, newest first.
    public func suppressions() throws -> [SuppressionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT address, reason, event_id, created_at FROM suppression ORDER BY created_at DESC, address")
                .map { SuppressionRecord(address: $0["address"], reason: $0["reason"], eventID: $0["event_id"], createdAt: $0["created_at"]) }
        }
    }

    /// Puts `address` on the suppression list with a `suppressed` event (no message).
    /// Returns false, changing nothing, when it is already there.
    @discardableResult
    public func addSuppression(address: String, reason: String, now: Int64) throws -> Bool {
        let key = SuppressionAddress.normalise(address)
        guard key.contains("@"), !key.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError(.invalidState, "\"\(address)\" is not an e-mail address")
        }
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM suppression WHERE address = ?", arguments: [key]) == nil else { return false }
                try EventLog.append(db, kind: .suppressed, at: now, recipient: key, detail: "added to the suppression list by operator: \(reason)")
                try db.execute(sql: "INSERT INTO suppression (address, reason, event_id, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [key, reason, db.lastInsertedRowID, now])
                return true
            }
        }
    }

    /// Takes `address` off the suppression list (recorded as a `suppression-removed`
    /// event). Returns false when it was not there.
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

    /// For the delivery engine at claim time: marks every not-yet-sent recipient (pending
    /// or deferred) of the messages `ids` whose address is on the suppression list as
    /// `suppressed`, with one `suppressed` event each. Returns how many were marked.
    /// Deciding what happens to a message left with no deliverable recipient is the
    /// caller's business.
    public func suppressRecipients(ofMessages ids: [Int64], now: Int64) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try Self.mappingDatabaseErrors {
            try pool.write { db in try Self.suppressRecipients(db, ofMessages: ids, now: now) }
        }
    }

    /// ``suppressRecipients(ofMessages:now:)`` inside a transaction the caller already holds.
    public static func suppressRecipients(_ db: Database, ofMessages ids: [Int64], now: Int64) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        var total = 0
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let list = chunk.map(String.init).joined(separator: ",")
            let selected = """
                FROM recipient r JOIN message m ON m.id = r.message_id JOIN suppression s ON s.address = lower(trim(r.address))
                WHERE r.message_id IN (\(list)) AND r.state IN ('pending', 'deferred')
                """
            try db.execute(sql: """
                INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, detail)
                SELECT ?, 'suppressed', m.id, m.batch_id, m.owner, r.address, 'not attempted: address is on the suppression list (' || s.reason || ')'
                \(selected)
                """, arguments: [now])
            try db.execute(sql: """
                UPDATE recipient SET state = 'suppressed', last_reply = 'on the suppression list', updated_at = ?
                WHERE id IN (SELECT r.id \(selected))
                """, arguments: [now])
            total += db.changesCount
        }
        return total
    }
}
