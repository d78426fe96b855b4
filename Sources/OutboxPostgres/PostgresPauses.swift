import OutboxCore
import OutboxStore
import PostgresNIO

/// Profile holds and rate-limit pauses on PostgreSQL (`owner_pause`, as on SQLite), so a
/// hold placed by one node stops every node from claiming the owner's messages.
enum PostgresPauses {
    /// Ends the pauses whose time passed and the holds whose profile changed since (their
    /// `stamp`: the owner's and the company profile's latest `updated_at`).
    static func lift(_ connection: PostgresConnection, logger: Logger, now: Int64) async throws {
        var any = false
        for try await exists in try await connection.query("SELECT EXISTS (SELECT 1 FROM owner_pause)", logger: logger).decode(Bool.self) { any = exists }
        guard any else { return }
        try await connection.query("""
            WITH lifted AS (
                DELETE FROM owner_pause p
                WHERE p.until <= \(now) OR (p.kind = 'hold' AND p.stamp <> (
                    SELECT COALESCE(MAX(updated_at), 0)::text FROM profile
                    WHERE owner = p.owner OR owner = (SELECT value FROM setting WHERE name = \(OutboxDatabase.globalProfileSetting))))
                RETURNING owner)
            UPDATE profile SET held_until = NULL, held_reason = NULL WHERE owner IN (SELECT owner FROM lifted) AND held_until IS NOT NULL
            """, logger: logger)
    }

    static func releaseOne(_ connection: PostgresConnection, logger: Logger, messageID: Int64, leaseOwner: String, now: Int64) async throws {
        try await connection.query("""
            UPDATE message SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
            WHERE id = \(messageID) AND state = 'sending' AND lease_owner = \(leaseOwner)
            """, logger: logger)
    }
}

extension PostgresStore {
    /// Holds `owner` (see ``OutboxStore/DeliveryStore/hold(owner:messageID:leaseOwner:until:reason:code:enhancedCode:now:)``);
    /// the message goes back to `queued` in the same transaction.
    public func hold(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, code: Int?, enhancedCode: String?,
                     now: Int64) async throws -> Bool {
        let logger = logger
        return try await transaction { connection in
            try await PostgresPauses.lift(connection, logger: logger, now: now)
            try await PostgresPauses.releaseOne(connection, logger: logger, messageID: messageID, leaseOwner: leaseOwner, now: now)
            var began = false
            // ON CONFLICT: a rate pause becomes a hold; an existing hold stays as it is (no second event).
            for try await _ in try await connection.query("""
                INSERT INTO owner_pause (owner, kind, until, reason, stamp, created_at)
                VALUES (\(owner), 'hold', \(until), \(reason), (
                    SELECT COALESCE(MAX(updated_at), 0)::text FROM profile
                    WHERE owner = \(owner) OR owner = (SELECT value FROM setting WHERE name = \(OutboxDatabase.globalProfileSetting))), \(now))
                ON CONFLICT (owner) DO UPDATE SET kind = 'hold', until = excluded.until, reason = excluded.reason,
                    stamp = excluded.stamp, created_at = excluded.created_at
                WHERE owner_pause.kind <> 'hold'
                RETURNING owner
                """, logger: logger).decode(String.self) { began = true }
            guard began else { return false }
            try await connection.query("UPDATE profile SET held_until = \(until), held_reason = \(reason) WHERE owner = \(owner)", logger: logger)
            try await PostgresEvents.append(connection, logger: logger, kind: .profileHeld, at: now, messageID: messageID, owner: owner, code: code,
                                            enhancedCode: enhancedCode, detail: reason)
            return true
        }
    }

    /// Puts `messageID` back to `queued` and pauses `owner` until `until` (a later pause wins).
    public func pauseForRateLimit(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, now: Int64) async throws {
        let logger = logger
        try await transaction { connection in
            try await PostgresPauses.releaseOne(connection, logger: logger, messageID: messageID, leaseOwner: leaseOwner, now: now)
            try await connection.query("""
                INSERT INTO owner_pause (owner, kind, until, reason, stamp, created_at) VALUES (\(owner), 'rate', \(until), \(reason), '', \(now))
                ON CONFLICT (owner) DO UPDATE SET until = GREATEST(owner_pause.until, excluded.until) WHERE owner_pause.kind = 'rate'
                """, logger: logger)
        }
    }

    /// Lifts the holds caused by configuration; returns their owners, sorted.
    public func liftConfigurationHolds() async throws -> [String] {
        let prefix = OutboxDatabase.configurationHoldPrefix, logger = logger
        return try await transaction { connection in
            var owners: [String] = []
            for try await owner in try await connection.query("""
                DELETE FROM owner_pause WHERE kind = 'hold' AND starts_with(reason, \(prefix)) RETURNING owner
                """, logger: logger).decode(String.self) { owners.append(owner) }
            if !owners.isEmpty {
                try await connection.query("UPDATE profile SET held_until = NULL, held_reason = NULL WHERE owner = ANY(\(owners))", logger: logger)
            }
            return owners.sorted()
        }
    }

    /// The earliest of: a message not paused falling due, a pause ending, a lease expiring.
    public func nextWakeTime() async throws -> Int64? {
        var next: Int64?
        for try await value in try await client.query("""
            SELECT LEAST(
                (SELECT MIN(next_attempt_at) FROM message WHERE state IN ('queued','deferred') AND owner NOT IN (SELECT owner FROM owner_pause)),
                (SELECT MIN(until) FROM owner_pause),
                (SELECT MIN(lease_expires_at) FROM message WHERE state = 'sending'))
            """, logger: logger).decode(Int64?.self) { next = value }
        return next
    }

    /// The owner's layer and the company layer, in one snapshot.
    public func profileLayers(owner: String) async throws -> ProfileLayers {
        let logger = logger
        return try await transaction { connection in try await PostgresProfiles.layers(connection, logger: logger, owner: owner) }
    }

    /// The database server's clock, in Unix milliseconds.
    public func databaseNow() async throws -> Int64 {
        var now: Int64 = 0
        for try await value in try await client.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint", logger: logger)
            .decode(Int64.self) { now = value }
        return now
    }

    /// Wakes the nodes listening on ``enqueueChannel``: messages became claimable (released or reclaimed).
    func notifyClaimable() async throws {
        try await client.query("SELECT pg_notify(\(Self.enqueueChannel), '')", logger: logger)
    }
}
