import GRDB
import OutboxCore

/// Appends to the event table (which a trigger keeps append-only).
enum EventLog {
    static func append(
        _ db: Database, kind: EventKind, at: Int64, messageID: Int64? = nil, batchID: Int64? = nil,
        owner: String? = nil, recipient: String? = nil, code: Int? = nil, enhancedCode: String? = nil, reason: String? = nil,
        detail: String? = nil
    ) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, code, enhanced_code, reason, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [at, kind.rawValue, messageID, batchID, owner, recipient, code, enhancedCode, reason, detail])
    }
}
