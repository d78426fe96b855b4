import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Gives leased messages back to the queue unchanged (no attempt counted): at shutdown,
    /// or for messages a worker claimed but will not send now. With `messageIDs` nil, every
    /// message leased to `leaseOwner`. Returns how many were released.
    @discardableResult
    public func release(leaseOwner: String, messageIDs: [Int64]? = nil, now: Int64) throws -> Int {
        try pool.write { db in
            var sql = """
                UPDATE message SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE \(IndexTrimMigration.sendingTerm) AND lease_owner = ?
                """
            var arguments: StatementArguments = [now, leaseOwner]
            if let messageIDs {
                guard !messageIDs.isEmpty else { return 0 }
                sql += " AND id IN (\(messageIDs.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(messageIDs)
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    /// Extends the leases `leaseOwner` holds to `until` (a long batch keeps its claim).
    public func renewLeases(leaseOwner: String, until: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE message SET lease_expires_at = ? WHERE \(IndexTrimMigration.sendingTerm) AND lease_owner = ?",
                           arguments: [until, leaseOwner])
        }
    }

    /// Crash recovery: puts messages whose lease expired — or whose lease owner is known to
    /// be gone (`isGone`, e.g. a dead process on this host) — back to `queued`, with an
    /// event each; attempts are not counted. Returns the message ids.
    @discardableResult
    public func reclaimLeases(now: Int64, isGone: (String) -> Bool = { _ in false }) throws -> [Int64] {
        try pool.write { db in
            let owners = try String.fetchAll(db, sql: "SELECT DISTINCT lease_owner FROM message WHERE \(IndexTrimMigration.sendingTerm) AND lease_owner IS NOT NULL")
            let gone = owners.filter(isGone)
            let placeholders = gone.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: """
                UPDATE message SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE \(IndexTrimMigration.sendingTerm) AND (lease_expires_at <= ? OR lease_owner IS NULL\(gone.isEmpty ? "" : " OR lease_owner IN (\(placeholders))"))
                RETURNING id, batch_id, owner
                """, arguments: [now, now] + StatementArguments(gone))
            for row in rows {
                try EventLog.append(db, kind: .retried, at: now, messageID: row["id"], batchID: row["batch_id"], owner: row["owner"],
                                    detail: "lease reclaimed: the sender stopped without recording an outcome; back to queued")
            }
            return rows.map { $0["id"] }
        }
    }
}
