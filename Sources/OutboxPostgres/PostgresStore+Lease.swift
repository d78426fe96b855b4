import OutboxCore
import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// Gives leased messages back to the queue unchanged (no attempt counted); with
    /// `messageIDs` nil, every message leased to `leaseOwner`. Returns how many.
    @discardableResult
    public func release(leaseOwner: String, messageIDs: [Int64]? = nil, now: Int64) async throws -> Int {
        if let messageIDs, messageIDs.isEmpty { return 0 }
        let everything = messageIDs == nil, ids = messageIDs ?? []
        var count = 0
        for try await _ in try await client.query("""
            UPDATE message SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
            WHERE id IN (SELECT id FROM message WHERE state = 'sending' AND lease_owner = \(leaseOwner) AND (\(everything) OR id = ANY(\(ids)))
                         ORDER BY id FOR UPDATE)
            RETURNING id
            """, logger: logger).decode(Int64.self) { count += 1 }
        return count
    }

    /// Extends the leases `leaseOwner` holds to `until`. Rows are locked in id order, as
    /// every multi-row write of leased messages does (``record(_:leaseOwner:now:)``,
    /// ``release(leaseOwner:messageIDs:now:)``, ``reclaimLeases(now:isGone:)``), so two of
    /// them never deadlock.
    public func renewLeases(leaseOwner: String, until: Int64) async throws {
        try await client.query("""
            UPDATE message SET lease_expires_at = \(until)
            WHERE id IN (SELECT id FROM message WHERE state = 'sending' AND lease_owner = \(leaseOwner) ORDER BY id FOR UPDATE)
            """, logger: logger)
    }

    /// Puts messages whose lease expired — or whose owner `isGone` — back to `queued`, with
    /// a `retried` event each, in one transaction; attempts are not counted. With several
    /// nodes, `isGone` must only answer for owners of this host (a dead process here); any
    /// other node's leases come back when they expire.
    @discardableResult
    public func reclaimLeases(now: Int64, isGone: (String) -> Bool = { _ in false }) async throws -> [Int64] {
        var owners: [String] = []
        for try await owner in try await client.query(
            "SELECT DISTINCT lease_owner FROM message WHERE state = 'sending' AND lease_owner IS NOT NULL", logger: logger).decode(String.self) {
            owners.append(owner)
        }
        let gone = owners.filter(isGone), logger = logger
        return try await transaction { connection in
            var reclaimed: [(id: Int64, batchID: Int64, owner: String)] = []
            for try await row in try await connection.query("""
                UPDATE message SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
                WHERE id IN (SELECT id FROM message
                             WHERE state = 'sending' AND (lease_expires_at <= \(now) OR lease_owner IS NULL OR lease_owner = ANY(\(gone)))
                             ORDER BY id FOR UPDATE)
                RETURNING id, batch_id, owner
                """, logger: logger).decode((Int64, Int64, String).self) {
                reclaimed.append(row)
            }
            for message in reclaimed {
                try await PostgresEvents.append(connection, logger: logger, kind: .retried, at: now, messageID: message.id, batchID: message.batchID,
                                                owner: message.owner, detail: "lease reclaimed: the sender stopped without recording an outcome; back to queued")
            }
            return reclaimed.map(\.id)
        }
    }
}

extension PostgresStore {
    /// The distinct owners of leases held now.
    func leaseOwners() async throws -> [String] {
        var owners: [String] = []
        for try await owner in try await client.query(
            "SELECT DISTINCT lease_owner FROM message WHERE state = 'sending' AND lease_owner IS NOT NULL", logger: logger).decode(String.self) {
            owners.append(owner)
        }
        return owners
    }
}
