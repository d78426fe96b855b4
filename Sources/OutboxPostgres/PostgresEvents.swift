import OutboxCore
import PostgresNIO

/// Appends to the event log inside the caller's transaction (as `EventLog` on SQLite).
enum PostgresEvents {
    static func append(
        _ connection: PostgresConnection, logger: Logger, kind: EventKind, at: Int64, messageID: Int64? = nil, batchID: Int64? = nil,
        owner: String? = nil, code: Int? = nil, enhancedCode: String? = nil, reason: String? = nil, detail: String? = nil
    ) async throws {
        try await connection.query("""
            INSERT INTO event (at, kind, message_id, batch_id, owner, code, enhanced_code, reason, detail)
            VALUES (\(at), \(kind.rawValue), \(messageID), \(batchID), \(owner), \(code), \(enhancedCode), \(reason), \(detail))
            """, logger: logger)
    }
}
