import GRDB

extension OutboxDatabase {
    /// The reason prefix of holds caused by the daemon's own configuration (no relay
    /// configured, a bad relay URL, an unreadable credential) rather than by a server.
    public static let configurationHoldPrefix = "configuration: "

    /// Lifts every hold whose reason is a configuration problem, because the daemon's
    /// configuration may have changed (start-up, reload): a hold that still applies is
    /// placed again by the owner's next message. Returns the owners whose hold ended.
    @discardableResult
    public func liftConfigurationHolds() throws -> [String] {
        try pool.write { db in
            let owners = try String.fetchAll(db, sql: """
                DELETE FROM owner_pause WHERE kind = 'hold' AND substr(reason, 1, ?) = ? RETURNING owner
                """, arguments: [Self.configurationHoldPrefix.count, Self.configurationHoldPrefix])
            for owner in owners {
                try db.execute(sql: "UPDATE profile SET held_until = NULL, held_reason = NULL WHERE owner = ?", arguments: [owner])
            }
            return owners.sorted()
        }
    }
}
