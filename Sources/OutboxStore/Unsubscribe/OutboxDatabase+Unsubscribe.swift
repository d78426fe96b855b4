import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Records an unsubscribe request for the letter token `token` (from `unsubscribe+TOKEN@…`
    /// or the one-click URL `…/TOKEN`), in one transaction, and says what happened.
    ///
    /// A known token unsubscribes the addresses it stands for (the letter's `to`
    /// recipients) from **that owner's letters**: one `unsubscribed` event each, and from
    /// then on the claim marks them `suppressed` on the owner's letters. Invoices,
    /// transactional mail and other owners' letters still go. Idempotent: a repeated
    /// request writes an `unsubscribe-ignored` event ("already unsubscribed") and changes
    /// nothing else. An unknown or malformed token writes an `unsubscribe-ignored` event
    /// with the reason and never throws for it, so a door keeps going.
    ///
    /// This is what the one-click endpoint (`POST /u/{token}`, source ``UnsubscribeSource/oneClick``) calls.
    ///
    /// - Throws: ``StoreError`` `.busy` or `.cannotOpenDatabase` (temporary: retry later).
    public func unsubscribe(token: String, source: UnsubscribeSource, now: Int64) throws -> UnsubscribeResult {
        try Self.mappingDatabaseErrors {
            try pool.write { db in try Self.recordUnsubscribe(db, token: token, source: source, now: now) }
        }
    }

    /// ``unsubscribe(token:source:now:)`` inside a transaction the caller holds (a bounce door's).
    static func recordUnsubscribe(_ db: Database, token raw: String, source: UnsubscribeSource, now: Int64) throws -> UnsubscribeResult {
        func event(_ kind: EventKind, message: Int64?, batch: Int64?, owner: String?, recipient: String?, _ detail: String) throws -> Int64 {
            try db.cachedStatement(sql: """
                INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [now, kind.rawValue, message, batch, owner, recipient, detail])
            return db.lastInsertedRowID
        }
        let rows = try UnsubscribeToken.normalise(raw).map {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT address, owner, message_id FROM unsubscribe_token WHERE token = ? ORDER BY address"),
                             arguments: [$0])
        } ?? []
        guard let first = rows.first else {
            let detail = UnsubscribeWording.unknownToken(raw, source: source)
            let id = try event(.unsubscribeIgnored, message: nil, batch: nil, owner: nil, recipient: nil, detail)
            return UnsubscribeWording.unknownResult(eventID: id, detail: detail)
        }
        let owner: String = first["owner"], messageID: Int64 = first["message_id"]
        let batchID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT batch_id FROM message WHERE id = ?"), arguments: [messageID])
        var eventIDs: [Int64] = [], added: [String] = [], details: [String] = []
        for row in rows {
            let address: String = row["address"]
            if let since = try Int64.fetchOne(db.cachedStatement(sql: "SELECT created_at FROM unsubscription WHERE owner = ? AND address = ?"),
                                              arguments: [owner, address]) {
                let detail = UnsubscribeWording.already(address, owner: owner, since: since, source: source)
                eventIDs.append(try event(.unsubscribeIgnored, message: messageID, batch: batchID, owner: owner, recipient: address, detail))
                details.append(detail)
                continue
            }
            let detail = UnsubscribeWording.unsubscribed(address, owner: owner, source: source)
            let id = try event(.unsubscribed, message: messageID, batch: batchID, owner: owner, recipient: address, detail)
            try db.cachedStatement(sql: """
                INSERT INTO unsubscription (owner, address, created_at, event_id, message_id, source, bounce_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [owner, address, now, id, messageID, source.name, source.bounceID])
            eventIDs.append(id)
            added.append(address)
            details.append(detail)
        }
        return UnsubscribeWording.result(owner: owner, messageID: messageID, addresses: rows.map { $0["address"] }, added: added,
                                         eventIDs: eventIDs, details: details)
    }

    /// Addresses that unsubscribed from an owner's letters, newest first, as suppression
    /// entries of scope `letters` (never expiring).
    public func unsubscriptions() throws -> [SuppressionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT owner, address, created_at, event_id, source, bounce_id FROM unsubscription ORDER BY created_at DESC, owner, address
                """).map {
                var record = SuppressionRecord(address: $0["address"], reason: "unsubscribed (\($0["source"] as String))", bounceReason: nil,
                                               eventID: $0["event_id"], bounceID: $0["bounce_id"], createdAt: $0["created_at"], expiresAt: nil)
                record.scope = .letters
                record.owner = $0["owner"]
                return record
            }
        }
    }

    /// Takes back `address`'s unsubscription from `owner`'s letters (the customer asked to get
    /// them again), with a `suppression-removed` event. Returns false when there was none.
    @discardableResult
    public func removeUnsubscription(owner: String, address: String, now: Int64) throws -> Bool {
        let key = SuppressionAddress.normalise(address)
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM unsubscription WHERE owner = ? AND address = ?", arguments: [owner, key])
                guard db.changesCount > 0 else { return false }
                try db.execute(sql: "INSERT INTO event (at, kind, owner, recipient, detail) VALUES (?, 'suppression-removed', ?, ?, ?)",
                               arguments: [now, owner, key, "unsubscription from owner \(owner)'s letters taken back by operator"])
                return true
            }
        }
    }

    /// Marks every not-yet-sent recipient of the letters among `ids` who unsubscribed from
    /// that letter's owner as `suppressed`, one `suppressed` event each, inside the claim's
    /// transaction. Other kinds of mail are never touched. Returns how many were marked.
    static func suppressUnsubscribed(_ db: Database, ofMessages ids: [Int64], now: Int64) throws -> Int {
        guard !ids.isEmpty,
              try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM unsubscription)")) == true else { return 0 }
        var total = 0
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let selected = """
                FROM recipient r JOIN message m ON m.id = r.message_id
                    JOIN unsubscription u ON u.owner = m.owner AND u.address = lower(trim(r.address))
                WHERE r.message_id IN (\(chunk.map(String.init).joined(separator: ","))) AND m.kind = 'letter'
                    AND r.state IN ('pending', 'deferred')
                """
            try db.execute(sql: """
                INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, detail)
                SELECT ?1, 'suppressed', m.id, m.batch_id, m.owner, r.address,
                    'not attempted: unsubscribed from owner ' || m.owner || '''s letters on '
                        || strftime('%Y-%m-%d %H:%M:%SZ', u.created_at / 1000, 'unixepoch') || ' (event #' || COALESCE(u.event_id, '?') || ')'
                \(selected)
                """, arguments: [now])
            try db.execute(sql: """
                UPDATE recipient SET state = 'suppressed', last_reply = 'unsubscribed from this owner''s letters', updated_at = ?1
                WHERE id IN (SELECT r.id \(selected))
                """, arguments: [now])
            total += db.changesCount
        }
        return total
    }
}
