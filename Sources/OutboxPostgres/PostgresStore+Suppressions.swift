import OutboxCore
public import OutboxStore
import PostgresNIO

/// The suppression list, unsubscriptions and the bounce log on PostgreSQL, as
/// `OutboxDatabase+Suppressions`, `+Unsubscribe` and `+BounceList` keep them on SQLite.
extension PostgresStore {
    public func suppressions(now: Int64, includeExpired: Bool) async throws -> [SuppressionRecord] {
        var records: [SuppressionRecord] = []
        for try await row in try await client.query("""
            SELECT address, reason, bounce_reason, event_id, bounce_id, created_at, expires_at FROM suppression
            WHERE \(includeExpired) OR expires_at IS NULL OR expires_at > \(now)
            ORDER BY created_at DESC, address COLLATE "C"
            """, logger: logger).decode((String, String, String?, Int64?, Int64?, Int64, Int64?).self) {
            records.append(.stored(address: row.0, reason: row.1, bounceReason: row.2, eventID: row.3, bounceID: row.4, createdAt: row.5,
                                             expiresAt: row.6, scope: .all, owner: nil))
        }
        return records
    }

    public func unsubscriptions() async throws -> [SuppressionRecord] {
        var records: [SuppressionRecord] = []
        for try await row in try await client.query("""
            SELECT owner, address, created_at, event_id, source, bounce_id FROM unsubscription
            ORDER BY created_at DESC, owner COLLATE "C", address COLLATE "C"
            """, logger: logger).decode((String, String, Int64, Int64?, String, Int64?).self) {
            records.append(.stored(address: row.1, reason: "unsubscribed (\(row.4))", bounceReason: nil, eventID: row.3, bounceID: row.5,
                                             createdAt: row.2, expiresAt: nil, scope: .letters, owner: row.0))
        }
        return records
    }

    /// As on SQLite: a `suppressed` event, then the entry for good (a temporary entry is made permanent).
    public func addSuppression(address: String, reason: String, now: Int64) async throws -> Bool {
        let key = SuppressionRecord.key(address)
        guard key.contains("@"), !key.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError(.invalidState, "\"\(address)\" is not an e-mail address")
        }
        let logger = logger
        return try await transaction { connection in
            // Serialises adds of one address across nodes (the row may not exist yet).
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("suppression:" + key), 0))", logger: logger)
            var permanent = false
            for try await _ in try await connection.query("SELECT 1 FROM suppression WHERE address = \(key) AND expires_at IS NULL", logger: logger)
                .decode(Int.self) { permanent = true }
            guard !permanent else { return false }
            var eventID: Int64?
            for try await id in try await connection.query("""
                INSERT INTO event (at, kind, recipient, detail)
                VALUES (\(now), \(EventKind.suppressed.rawValue), \(key), \("added to the suppression list by operator: \(reason)")) RETURNING id
                """, logger: logger).decode(Int64.self) { eventID = id }
            var changed = false
            for try await _ in try await connection.query("""
                INSERT INTO suppression (address, reason, event_id, created_at, bounce_reason, bounce_id, expires_at)
                VALUES (\(key), \(reason), \(eventID), \(now), NULL, NULL, NULL)
                ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, event_id = excluded.event_id, created_at = excluded.created_at,
                    bounce_reason = excluded.bounce_reason, bounce_id = excluded.bounce_id, expires_at = excluded.expires_at
                WHERE suppression.expires_at IS NOT NULL
                RETURNING 1
                """, logger: logger).decode(Int.self) { changed = true }
            return changed
        }
    }

    public func removeSuppression(address: String, now: Int64) async throws -> Bool {
        let key = SuppressionRecord.key(address)
        return try await removing("DELETE FROM suppression WHERE address = \(key) RETURNING 1") { connection, logger in
            try await connection.query("""
                INSERT INTO event (at, kind, recipient, detail) VALUES (\(now), 'suppression-removed', \(key), 'removed from the suppression list by operator')
                """, logger: logger)
        }
    }

    public func removeUnsubscription(owner: String, address: String, now: Int64) async throws -> Bool {
        let key = SuppressionRecord.key(address)
        return try await removing("DELETE FROM unsubscription WHERE owner = \(owner) AND address = \(key) RETURNING 1") { connection, logger in
            try await connection.query("""
                INSERT INTO event (at, kind, owner, recipient, detail)
                VALUES (\(now), 'suppression-removed', \(owner), \(key), \("unsubscription from owner \(owner)'s letters taken back by operator"))
                """, logger: logger)
        }
    }

    public func bounces(limit: Int, beforeID: Int64?) async throws -> [BounceRecord] {
        var records: [BounceRecord] = []
        for try await row in try await client.query("""
            SELECT id, received_at, source, size, kind, format, message_id, matched_by, subject, reasons FROM bounce
            WHERE \(beforeID)::bigint IS NULL OR id < \(beforeID) ORDER BY id DESC LIMIT \(limit)
            """, logger: logger).decode((Int64, Int64, String, Int, String, String, Int64?, String?, String?, String?).self) {
            records.append(.stored(id: row.0, receivedAt: row.1, source: row.2, size: row.3, kind: row.4, format: row.5, messageID: row.6,
                                   matchedBy: row.7, subject: row.8, reasons: row.9))
        }
        return records
    }

    /// Runs `delete` (returning a row per deleted entry) and, when it deleted any, `record`, in one transaction.
    private func removing(_ delete: PostgresQuery, record: @Sendable (PostgresConnection, Logger) async throws -> Void) async throws -> Bool {
        let logger = logger
        return try await transaction { connection in
            var deleted = false
            for try await _ in try await connection.query(delete, logger: logger).decode(Int.self) { deleted = true }
            if deleted { try await record(connection, logger) }
            return deleted
        }
    }
}
