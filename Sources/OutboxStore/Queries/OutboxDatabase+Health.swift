import GRDB

/// What `outbox doctor` reads about the queue: who sends, what waits, what is held.
public struct QueueHealth: Sendable, Hashable {
    /// An owner whose messages are not claimed because its profile is held.
    public struct Hold: Sendable, Hashable {
        public let owner: String
        /// Unix milliseconds.
        public let until: Int64
        /// The reason with its hint, as the `profile-held` event has it.
        public let reason: String
    }

    /// Owners with messages queued, deferred or sending, by name.
    public let activeOwners: [String]
    /// Holds still in force at `now`, by owner.
    public let holds: [Hold]
    /// When the longest-due message (queued or deferred, due at `now`, its owner not paused) fell due.
    public let oldestDueAt: Int64?
    /// Messages queued or deferred.
    public let waiting: Int
}

extension OutboxDatabase {
    /// The queue's health at `now` (Unix milliseconds), read in one snapshot.
    public func queueHealth(now: Int64) throws -> QueueHealth {
        try pool.read { db in
            let owners = try String.fetchAll(db, sql: """
                SELECT DISTINCT owner FROM message_count WHERE state IN ('queued','deferred','sending') AND n > 0 ORDER BY owner
                """)
            let holds = try Row.fetchAll(db, sql: "SELECT owner, until, reason FROM owner_pause WHERE kind = 'hold' AND until > ? ORDER BY owner",
                                         arguments: [now]).map { QueueHealth.Hold(owner: $0["owner"], until: $0["until"], reason: $0["reason"]) }
            let oldestDue = try Int64.fetchOne(db, sql: """
                SELECT MIN(next_attempt_at) FROM message
                WHERE state IN ('queued','deferred') AND next_attempt_at <= ?
                  AND owner NOT IN (SELECT owner FROM owner_pause WHERE until > ?)
                """, arguments: [now, now])
            let waiting = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(n), 0) FROM message_count WHERE state IN ('queued','deferred')") ?? 0
            return QueueHealth(activeOwners: owners, holds: holds, oldestDueAt: oldestDue, waiting: waiting)
        }
    }
}
