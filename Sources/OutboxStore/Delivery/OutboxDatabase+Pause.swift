import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Holds `owner`'s profile after an authentication or configuration problem met while
    /// sending `messageID`: the message goes back to `queued` without counting an attempt,
    /// and no message of the owner is claimed until `until` or until the owner's (or the
    /// company) profile changes. Writes one `profile-held` event when the hold begins —
    /// not again while it lasts. Returns whether a new hold began.
    @discardableResult
    public func hold(
        owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String,
        code: Int? = nil, enhancedCode: String? = nil, now: Int64
    ) throws -> Bool {
        try pool.write { db in
            try Self.liftPauses(db, now: now)
            try Self.releaseOne(db, messageID: messageID, leaseOwner: leaseOwner, now: now)
            let held = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM owner_pause WHERE owner = ? AND kind = 'hold')",
                                         arguments: [owner]) ?? false
            guard !held else { return false }
            try db.execute(sql: """
                INSERT INTO owner_pause (owner, kind, until, reason, stamp, created_at)
                VALUES (:owner, 'hold', :until, :reason, \(ProfileStamp.sql(":owner")), :now)
                ON CONFLICT(owner) DO UPDATE SET kind = 'hold', until = excluded.until, reason = excluded.reason,
                    stamp = excluded.stamp, created_at = excluded.created_at
                """, arguments: ["owner": owner, "until": until, "reason": reason, "now": now])
            try db.execute(sql: "UPDATE profile SET held_until = ?, held_reason = ? WHERE owner = ?", arguments: [until, reason, owner])
            try EventLog.append(db, kind: .profileHeld, at: now, messageID: messageID, owner: owner, code: code,
                                enhancedCode: enhancedCode, detail: reason)
            return true
        }
    }

    /// Puts `messageID` back to `queued` (no attempt counted) because `owner` reached a
    /// rate limit, and claims none of the owner's messages before `until`.
    public func pauseForRateLimit(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, now: Int64) throws {
        try pool.write { db in
            try Self.releaseOne(db, messageID: messageID, leaseOwner: leaseOwner, now: now)
            try db.execute(sql: """
                INSERT INTO owner_pause (owner, kind, until, reason, stamp, created_at) VALUES (?, 'rate', ?, ?, '', ?)
                ON CONFLICT(owner) DO UPDATE SET until = MAX(until, excluded.until) WHERE kind = 'rate'
                """, arguments: [owner, until, reason, now])
        }
    }

    /// How many messages of `owner` were sent after `since`, and the oldest of those sends.
    public func sentCount(owner: String, since: Int64) throws -> (count: Int, oldest: Int64?) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM event WHERE kind = 'sent' AND owner = ? AND at > ?",
                                       arguments: [owner, since])
            return (row?["n"] ?? 0, row?["oldest"])
        }
    }

    /// The time of `owner`'s latest `sent` event, nil when none.
    public func lastSentAt(owner: String) throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(at) FROM event WHERE kind = 'sent' AND owner = ?", arguments: [owner])
        }
    }

    /// Envelope recipients accepted in `owner`'s `sent` events after `since` (each send counts
    /// again, as providers count), and the oldest such event's time.
    public func sentRecipientCount(owner: String, since: Int64) throws -> (count: Int, oldest: Int64?) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM((SELECT COUNT(*) FROM recipient r WHERE r.message_id = e.message_id AND r.state IN ('sent','bounced'))), 0) AS n,
                    MIN(e.at) AS oldest
                FROM event e WHERE e.kind = 'sent' AND e.owner = ? AND e.at > ?
                """, arguments: [owner, since])
            return (row?["n"] ?? 0, row?["oldest"])
        }
    }

    /// The earliest time something may become claimable without a database change: a
    /// message falling due or a pause ending. Nil when nothing waits.
    public func nextWakeTime() throws -> Int64? {
        try pool.read { db in
            let due = try Int64.fetchOne(db, sql: """
                SELECT MIN(next_attempt_at) FROM message
                WHERE state IN ('queued','deferred') AND owner NOT IN (SELECT owner FROM owner_pause)
                """)
            let pause = try Int64.fetchOne(db, sql: "SELECT MIN(until) FROM owner_pause")
            return [due, pause].compactMap { $0 }.min()
        }
    }

    private static func releaseOne(_ db: Database, messageID: Int64, leaseOwner: String, now: Int64) throws {
        try db.execute(sql: """
            UPDATE message SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
            WHERE id = ? AND state = 'sending' AND lease_owner = ?
            """, arguments: [now, messageID, leaseOwner])
    }
}
