import OutboxCore
public import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// The profiles sending slower after throttling replies, by owner (`status`); as
    /// ``OutboxStore/OutboxDatabase/sendPaces()``.
    public func sendPaces() async throws -> [SendPaceRecord] {
        var paces: [SendPaceRecord] = []
        for try await (owner, level, pausedUntil, reason, updatedAt) in try await client.query(
            "SELECT owner, level, paused_until, reason, updated_at FROM send_pace ORDER BY owner", logger: logger
        ).decode((String, Int, Int64, String, Int64).self) {
            paces.append(SendPaceRecord(owner: owner, level: level, pausedUntil: pausedUntil, reason: reason, updatedAt: updatedAt))
        }
        return paces
    }
}

/// A node's view of the shared send paces: the same rows on every node, times moved between
/// the database clock and this node's.
extension PostgresDeliveryStore: PaceStore {
    public func sendPaces() throws -> [SendPaceRecord] {
        let store = store, back = databaseTime(0)
        do {
            return try waitingOnThisThread { try await store.sendPaces() }.map {
                SendPaceRecord(owner: $0.owner, level: $0.level, pausedUntil: $0.pausedUntil - back, reason: $0.reason, updatedAt: $0.updatedAt - back)
            }
        } catch {
            throw StoreError(.ioError, "reading the send paces on \(store.location): \(PostgresStore.describe(error))")
        }
    }

    public func recordPace(_ pace: SendPaceRecord, detail: String, code: Int?, enhancedCode: String?) throws {
        let store = store, at = databaseTime(pace.updatedAt), until = databaseTime(pace.pausedUntil)
        do {
            try waitingOnThisThread {
                try await store.transaction { connection in
                    if pace.level > 0 {
                        try await connection.query("""
                            INSERT INTO send_pace (owner, level, paused_until, reason, updated_at)
                            VALUES (\(pace.owner), \(pace.level), \(until), \(pace.reason), \(at))
                            ON CONFLICT (owner) DO UPDATE SET level = excluded.level, paused_until = excluded.paused_until,
                                reason = excluded.reason, updated_at = excluded.updated_at
                            """, logger: store.logger)
                    } else {
                        try await connection.query("DELETE FROM send_pace WHERE owner = \(pace.owner)", logger: store.logger)
                    }
                    try await PostgresEvents.append(connection, logger: store.logger, kind: .paced, at: at, owner: pace.owner, code: code,
                                                    enhancedCode: enhancedCode, detail: detail)
                }
            }
        } catch {
            throw StoreError(.ioError, "recording the send pace of owner \(pace.owner) on \(store.location): \(PostgresStore.describe(error))")
        }
    }
}
