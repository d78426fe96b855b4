import GRDB

extension OutboxDatabase {
    /// Recorded bounces, newest first; with `beforeID`, only older ones (for paging back).
    public func bounces(limit: Int, beforeID: Int64? = nil) throws -> [BounceRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, received_at, source, size, kind, format, message_id, matched_by, subject, reasons FROM bounce
                WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2
                """, arguments: [beforeID, limit]).map {
                BounceRecord(id: $0["id"], receivedAt: $0["received_at"], source: $0["source"], size: $0["size"], kind: $0["kind"],
                             format: $0["format"], messageID: $0["message_id"], matchedBy: $0["matched_by"], subject: $0["subject"],
                             reasons: $0["reasons"])
            }
        }
    }
}
