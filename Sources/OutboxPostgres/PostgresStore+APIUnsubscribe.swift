import OutboxCore
import OutboxStore
import PostgresNIO

/// One-click unsubscribe (`POST /u/{token}`) on PostgreSQL, as
/// `OutboxDatabase.unsubscribe(token:source:now:)` records it on SQLite: the same events,
/// outcomes and wording. Two nodes taking the same request at once: the unsubscription's
/// primary key makes the second wait for the first and then report "already unsubscribed".
extension PostgresStore {
    public func unsubscribe(token raw: String, source: UnsubscribeSource, now: Int64) async throws -> UnsubscribeResult {
        let logger = logger
        return try await transaction { connection in
            func event(_ kind: EventKind, message: Int64?, batch: Int64?, owner: String?, recipient: String?, _ detail: String) async throws -> Int64 {
                var id: Int64 = 0
                for try await inserted in try await connection.query("""
                    INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, detail)
                    VALUES (\(now), \(kind.rawValue), \(message), \(batch), \(owner), \(recipient), \(detail)) RETURNING id
                    """, logger: logger).decode(Int64.self) { id = inserted }
                return id
            }
            var rows: [(address: String, owner: String, messageID: Int64)] = []
            if let token = UnsubscribeToken.normalise(raw) {
                for try await row in try await connection.query("""
                    SELECT address, owner, message_id FROM unsubscribe_token WHERE token = \(token) ORDER BY address
                    """, logger: logger).decode((String, String, Int64).self) { rows.append(row) }
            }
            guard let first = rows.first else {
                let detail = UnsubscribeWording.unknownToken(raw, source: source)
                let id = try await event(.unsubscribeIgnored, message: nil, batch: nil, owner: nil, recipient: nil, detail)
                return UnsubscribeWording.unknownResult(eventID: id, detail: detail)
            }
            let (owner, messageID) = (first.owner, first.messageID)
            var batchID: Int64?
            for try await id in try await connection.query("SELECT batch_id FROM message WHERE id = \(messageID)", logger: logger).decode(Int64.self) {
                batchID = id
            }
            var eventIDs: [Int64] = [], added: [String] = [], details: [String] = []
            for row in rows {
                var inserted = false
                for try await _ in try await connection.query("""
                    INSERT INTO unsubscription (owner, address, created_at, message_id, source, bounce_id)
                    VALUES (\(owner), \(row.address), \(now), \(messageID), \(source.name), \(source.bounceID))
                    ON CONFLICT (owner, address) DO NOTHING RETURNING 1
                    """, logger: logger).decode(Int.self) { inserted = true }
                guard inserted else {
                    var since = now
                    for try await at in try await connection.query("""
                        SELECT created_at FROM unsubscription WHERE owner = \(owner) AND address = \(row.address)
                        """, logger: logger).decode(Int64.self) { since = at }
                    let detail = UnsubscribeWording.already(row.address, owner: owner, since: since, source: source)
                    eventIDs.append(try await event(.unsubscribeIgnored, message: messageID, batch: batchID, owner: owner, recipient: row.address, detail))
                    details.append(detail)
                    continue
                }
                let detail = UnsubscribeWording.unsubscribed(row.address, owner: owner, source: source)
                let id = try await event(.unsubscribed, message: messageID, batch: batchID, owner: owner, recipient: row.address, detail)
                try await connection.query("UPDATE unsubscription SET event_id = \(id) WHERE owner = \(owner) AND address = \(row.address)",
                                           logger: logger)
                eventIDs.append(id)
                added.append(row.address)
                details.append(detail)
            }
            return UnsubscribeWording.result(owner: owner, messageID: messageID, addresses: rows.map(\.address), added: added,
                                             eventIDs: eventIDs, details: details)
        }
    }
}
