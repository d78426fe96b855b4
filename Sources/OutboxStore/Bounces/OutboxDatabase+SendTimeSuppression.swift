import GRDB

extension OutboxDatabase {
    /// At send time: marks the suppressed, not yet sent recipients of the claimed messages
    /// (one `suppressed` event each) and returns their lowercased addresses per message,
    /// so the attempt leaves them out. Costs one read when the suppression list is empty.
    public func applySuppressions(toMessages ids: [Int64], now: Int64) throws -> [Int64: Set<String>] {
        guard !ids.isEmpty, try pool.read({ db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM suppression)") ?? false }) else {
            return [:]
        }
        return try pool.write { db in
            _ = try Self.suppressRecipients(db, ofMessages: ids, now: now)
            var result: [Int64: Set<String>] = [:]
            let list = ids.map(String.init).joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT message_id, lower(address) AS address FROM recipient WHERE state = 'suppressed' AND message_id IN (\(list))") {
                result[row["message_id"], default: []].insert(row["address"])
            }
            return result
        }
    }
}
