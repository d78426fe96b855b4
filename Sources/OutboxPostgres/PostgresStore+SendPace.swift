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
