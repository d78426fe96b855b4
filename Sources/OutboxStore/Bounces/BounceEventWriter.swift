import GRDB
import OutboxCore

/// Writes the events of one ingested bounce and collects them for the result.
struct BounceEventWriter {
    let db: Database
    let bounceID: Int64
    let now: Int64
    private(set) var entries: [BounceIngestResult.Entry] = []

    init(db: Database, bounceID: Int64, now: Int64) {
        self.db = db
        self.bounceID = bounceID
        self.now = now
    }

    /// Appends one event; `detail` gets the raw reference ` [bounce #ID]` appended.
    @discardableResult
    mutating func append(kind: String, message: MatchedMessage?, recipient: String?, code: Int? = nil,
                         enhancedCode: String? = nil, reason: BounceReason? = nil, severity: BounceSeverity? = nil,
                         detail: String) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, code, enhanced_code, reason, severity, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [now, kind, message?.id, message?.batchID, message?.owner, recipient, code, enhancedCode,
                                     reason?.rawValue, severity?.rawValue, "\(detail) [bounce #\(bounceID)]"])
        let id = db.lastInsertedRowID
        entries.append(.init(eventID: id, kind: kind, messageID: message?.id, recipient: recipient, enhancedCode: enhancedCode,
                             reason: reason?.rawValue, severity: severity?.rawValue))
        return id
    }
}
