import GRDB

/// Bounces that refused an owner's *sender* (its server's IP, domain, authentication or
/// volume) for one reason: counted against the owner's profile, never the recipient.
public struct SenderProblemRecord: Sendable, Hashable, Codable {
    public let owner: String
    /// `blocked`, `spamdetected`, `policyviolation`, `securityerror`, `norelaying` or `toomanyconn`.
    public let reason: String
    public let count: Int
    /// Unix milliseconds of the first and the latest.
    public let firstAt: Int64
    public let lastAt: Int64
    /// The latest `sender-problem` event.
    public let lastEventID: Int64?

    /// A row of a store's `sender_problem` table.
    package init(owner: String, reason: String, count: Int, firstAt: Int64, lastAt: Int64, lastEventID: Int64?) {
        self.owner = owner
        self.reason = reason
        self.count = count
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.lastEventID = lastEventID
    }
}

extension OutboxDatabase {
    /// Sender problems, of one owner or all, most recent first.
    public func senderProblems(owner: String? = nil) throws -> [SenderProblemRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT owner, reason, count, first_at, last_at, last_event_id FROM sender_problem
                WHERE ?1 IS NULL OR owner = ?1 ORDER BY last_at DESC, owner, reason
                """, arguments: [owner]).map {
                SenderProblemRecord(owner: $0["owner"], reason: $0["reason"], count: $0["count"], firstAt: $0["first_at"],
                                    lastAt: $0["last_at"], lastEventID: $0["last_event_id"])
            }
        }
    }
}
