public import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// The open unknown outcome of a message (`show`), or nil; as `OutboxDatabase.unknownOutcome(messageID:)`.
    public func unknownOutcome(messageID: Int64) async throws -> UnknownOutcome? {
        var found: UnknownOutcome?
        for try await row in try await client.query("""
            SELECT message_id, owner, header_message_id, action, since, due_at, checks, detail FROM unknown_outcome WHERE message_id = \(messageID)
            """, logger: logger).decode((Int64, String, String?, String, Int64, Int64?, Int, String).self) {
            guard let action = UnknownOutcome.Action(rawValue: row.3) else {
                throw StoreError(.corruptData, "unknown_outcome of message \(messageID) has action '\(row.3)'")
            }
            found = UnknownOutcome(messageID: row.0, owner: row.1, headerMessageID: row.2, action: action, since: row.4, dueAt: row.5, checks: row.6,
                                   detail: row.7)
        }
        return found
    }
}
