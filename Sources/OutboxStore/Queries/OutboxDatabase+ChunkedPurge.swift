import GRDB
import OutboxCore

extension OutboxDatabase {
    /// ``purge(finishedBefore:now:)`` in transactions of at most `chunk` messages, oldest
    /// first, so a large purge never holds the write lock long enough to stall the daemon's
    /// commits. Each transaction removes whole messages with their events; unused attachment
    /// contents and webhook deliveries finished before `cutoff` go, and one `purged` event is written at the end. `progress` gets (purged so far,
    /// total) before the first and after every transaction. Interrupted, a purge leaves only
    /// whole messages behind, and the next one finishes it.
    public func purge(finishedBefore cutoff: Int64, now: Int64, chunk: Int, progress: (_ done: Int, _ total: Int) -> Void) throws -> OperationResult {
        let finished = "SELECT id FROM message WHERE finished_at < ? AND state IN ('sent','failed','cancelled')"
        let total = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(finished))", arguments: [cutoff]) ?? 0 }
        var removed = 0
        progress(0, total)
        while true {
            let count = try pool.write { db -> Int in
                let ids = try Int64.fetchAll(db, sql: finished + " ORDER BY finished_at LIMIT ?", arguments: [cutoff, max(1, chunk)])
                guard !ids.isEmpty else { return 0 }
                let list = ids.map(String.init).joined(separator: ",")
                try db.execute(sql: "DELETE FROM event WHERE message_id IN (\(list))")
                try db.execute(sql: "DELETE FROM message WHERE id IN (\(list))")
                return db.changesCount
            }
            guard count > 0 else { break }
            removed += count
            progress(removed, max(total, removed))
        }
        try pool.write { db in
            try db.execute(sql: "DELETE FROM content WHERE sha256 NOT IN (SELECT sha256 FROM attachment)")
            try Self.purgeWebhookDeliveries(db, finishedBefore: cutoff)
            try EventLog.append(db, kind: .purged, at: now, detail: "\(removed) finished message(s) purged")
        }
        return OperationResult(changed: removed, skipped: 0)
    }
}
