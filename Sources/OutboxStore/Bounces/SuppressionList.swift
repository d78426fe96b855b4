import GRDB
import OutboxCore

/// Writes to the suppression list inside a transaction the caller holds. An entry is
/// active while `expires_at` is NULL (for good) or in the future.
enum SuppressionList {
    /// SQL condition for an active entry of table alias `s` at `:now`-style parameter `now`.
    static func activeCondition(_ alias: String, now: String) -> String {
        "(\(alias).expires_at IS NULL OR \(alias).expires_at > \(now))"
    }

    /// Suppresses `address` (`expiresAt` nil: for good). A permanent entry is never
    /// shortened; a temporary one is replaced by a permanent or a longer one. Returns
    /// whether the list changed.
    static func put(_ db: Database, address: String, reason: String, bounceReason: BounceReason?, eventID: Int64?,
                    bounceID: Int64?, expiresAt: Int64?, now: Int64) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO suppression (address, reason, event_id, created_at, bounce_reason, bounce_id, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT(address) DO UPDATE SET reason = excluded.reason, event_id = excluded.event_id,
                created_at = excluded.created_at, bounce_reason = excluded.bounce_reason, bounce_id = excluded.bounce_id,
                expires_at = excluded.expires_at
            WHERE suppression.expires_at IS NOT NULL
              AND (excluded.expires_at IS NULL OR suppression.expires_at < excluded.expires_at)
            """).execute(arguments: [SuppressionAddress.normalise(address), reason, eventID, now, bounceReason?.rawValue,
                                     bounceID, expiresAt])
        return db.changesCount > 0
    }

    /// Soft bounces of `address` with one of `reasons`, matched to a message, since
    /// `since` and since an operator last took the address off the list.
    static func softBounces(_ db: Database, address: String, reasons: Set<BounceReason>, since: Int64) throws -> Int {
        guard !reasons.isEmpty else { return 0 }
        let key = SuppressionAddress.normalise(address)
        let list = SQLiteBounceLedger.sqlList(reasons)
        return try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM event
            WHERE lower(recipient) = ?1 AND reason IS NOT NULL AND kind = 'bounced' AND message_id IS NOT NULL
              AND reason IN (\(list)) AND severity = 'soft'
              AND at >= max(?2, COALESCE((SELECT MAX(at) + 1 FROM event WHERE kind = 'suppression-removed' AND recipient = ?1), 0))
            """, arguments: [key, since]) ?? 0
    }
}
