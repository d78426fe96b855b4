import GRDB

/// What the status page charts: outcome events of a recent window, per minute and by
/// reason, and the latest failures.
public struct OutcomeOverview: Sendable, Hashable {
    /// Outcome events of one minute (only minutes that had any are listed).
    public struct Minute: Sendable, Hashable {
        /// Unix minutes (Unix milliseconds / 60,000).
        public let minute: Int64
        public var sent = 0
        public var failed = 0
        public var bounced = 0
    }

    /// How many failures or bounces had one reason.
    public struct Reason: Sendable, Hashable {
        /// `failed` (with `expired`) or `bounced`.
        public let kind: String
        public let reason: String
        public let count: Int
    }

    /// Unix milliseconds: the window starts here.
    public let since: Int64
    /// Ascending by minute.
    public let minutes: [Minute]
    /// Most frequent first.
    public let reasons: [Reason]
    /// `failed`, `expired` and `bounced` events, newest first.
    public let latestFailures: [Failure]

    /// A failure event with the first recipient of its message (a message-level `failed`
    /// event names no recipient).
    public struct Failure: Sendable, Hashable {
        public let event: EventRecord
        public let firstRecipient: String?
    }

    /// The reason a failure is counted under: the bounce reason when one is known, else the
    /// SMTP class of the reply (`smtp_5xx`), `expired` for a message past its `expiresAt`.
    public static func reasonLabel(kind: String, reason: String?, code: Int?) -> String {
        if kind == "expired" { return "expired" }
        if let reason { return reason }
        if let code { return "smtp_\(code / 100)xx" }
        return "other"
    }
}

extension OutboxDatabase {
    /// Outcome events since `since` (Unix milliseconds) per minute and by reason, in one
    /// grouped range scan of the covering index `event_outcome_by_time`, and the newest
    /// `failureLimit` failures, each kind read backwards along the same index.
    public func outcomeOverview(since: Int64, failureLimit: Int = 20) throws -> OutcomeOverview {
        try pool.read { db in
            let groups = try Row.fetchAll(db, sql: Self.outcomeHistogramSQL, arguments: [since]).map {
                (kind: $0["kind"] as String, minute: $0["minute"] as Int64, reason: $0["reason"] as String?, code: $0["code"] as Int?, count: $0["n"] as Int)
            }
            var failures: [OutcomeOverview.Failure] = []
            for kind in ["failed", "expired", "bounced"] {
                failures += try Row.fetchAll(db, sql: Self.latestFailuresSQL, arguments: [kind, failureLimit]).map {
                    OutcomeOverview.Failure(event: EventRecord(row: $0), firstRecipient: $0["first_recipient"])
                }
            }
            return OutcomeOverview.assembled(since: since, groups: groups, failures: failures, failureLimit: failureLimit)
        }
    }

    /// Read backwards along `event_outcome_by_time` for one kind, stopping after `LIMIT`
    /// rows: named, because without statistics SQLite would rather scan the whole log.
    static let latestFailuresSQL = """
        SELECT e.*, (SELECT address FROM recipient r WHERE r.message_id = e.message_id ORDER BY r.id LIMIT 1) AS first_recipient
        FROM event e INDEXED BY event_outcome_by_time WHERE \(StatusPageMigration.outcomeKinds) AND e.kind = ? ORDER BY e.at DESC LIMIT ?
        """

    /// Grouped by the code itself (not its class) so the index alone answers the query.
    static let outcomeHistogramSQL = """
        SELECT kind, at / 60000 AS minute, reason, code, COUNT(*) AS n FROM event
        WHERE \(StatusPageMigration.outcomeKinds) AND at >= ?
        GROUP BY kind, minute, reason, code
        """
}
