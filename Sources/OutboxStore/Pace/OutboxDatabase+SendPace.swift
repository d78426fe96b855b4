import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Schema step `v14-send-pace`: one row per profile that is sending slower than its
    /// limits allow because a server said it was too fast (none at full speed); and a
    /// profile's limit of recipients per rolling 24 hours.
    static func createSendPace(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE send_pace (
                owner TEXT PRIMARY KEY,
                level INTEGER NOT NULL CHECK (level > 0),
                paused_until INTEGER NOT NULL,
                reason TEXT NOT NULL,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            ALTER TABLE profile ADD COLUMN recipients_per_day INTEGER;
            """)
    }

    /// Every profile sending at a reduced pace.
    public func sendPaces() throws -> [SendPaceRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT owner, level, paused_until, reason, updated_at FROM send_pace ORDER BY owner").map {
                SendPaceRecord(owner: $0[0], level: $0[1], pausedUntil: $0[2], reason: $0[3], updatedAt: $0[4])
            }
        }
    }

    /// Records a change of `owner`'s pace with a `paced` event saying what changed and why;
    /// level 0 removes the row (full speed again).
    public func recordPace(_ pace: SendPaceRecord, detail: String, code: Int? = nil, enhancedCode: String? = nil) throws {
        try pool.write { db in
            if pace.level > 0 {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO send_pace (owner, level, paused_until, reason, updated_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [pace.owner, pace.level, pace.pausedUntil, pace.reason, pace.updatedAt])
            } else {
                try db.execute(sql: "DELETE FROM send_pace WHERE owner = ?", arguments: [pace.owner])
            }
            try EventLog.append(db, kind: .paced, at: pace.updatedAt, owner: pace.owner, code: code, enhancedCode: enhancedCode, detail: detail)
        }
    }
}
