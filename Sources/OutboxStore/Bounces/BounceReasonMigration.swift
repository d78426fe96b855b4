import Foundation
import GRDB
import OutboxCore

/// Schema step `v6-bounce-reasons`: the reason and severity of every bounce on its event
/// and recipient row, suppressions with a cause and an expiry, sender problems counted per
/// owner. Suppressions the old rule made (any 5.x.x) are re-read with the current parser
/// and kept only where ``BounceSuppressionPolicy`` would make them today.
enum BounceReasonMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE event ADD COLUMN reason TEXT;
            ALTER TABLE event ADD COLUMN severity TEXT;
            ALTER TABLE bounce ADD COLUMN reasons TEXT;
            ALTER TABLE recipient ADD COLUMN bounce_reason TEXT;
            ALTER TABLE recipient ADD COLUMN bounce_severity TEXT;
            -- The BounceReason behind the entry (NULL: put there by an operator), the raw
            -- bounce that caused it, and when it stops blocking (NULL: never).
            ALTER TABLE suppression ADD COLUMN bounce_reason TEXT;
            ALTER TABLE suppression ADD COLUMN bounce_id INTEGER;
            ALTER TABLE suppression ADD COLUMN expires_at INTEGER;
            -- Repeated soft bounces of one address are counted over these.
            CREATE INDEX event_bounce_by_recipient ON event(lower(recipient), at) WHERE reason IS NOT NULL;
            CREATE INDEX event_removal_by_recipient ON event(recipient, at) WHERE kind = 'suppression-removed';
            -- Bounces that refused the sender (blocked, spamdetected, …), per owner and reason.
            CREATE TABLE sender_problem (
                owner TEXT NOT NULL,
                reason TEXT NOT NULL,
                count INTEGER NOT NULL,
                first_at INTEGER NOT NULL,
                last_at INTEGER NOT NULL,
                last_event_id INTEGER,
                PRIMARY KEY (owner, reason)
            ) WITHOUT ROWID;
            """)
        try reviewOldSuppressions(db, parser: BounceParser(), now: OutboxDatabase.milliseconds(Date()))
    }

    /// Re-reads the bounce behind every suppression the old rule made (reason
    /// `hard bounce …`) and keeps it only for a dead address or a complaint; the others are
    /// removed with a `suppression-removed` event that says why. Operators' entries stay, and
    /// so does an entry whose bounce is gone (its event was purged): nothing proves it wrong.
    static func reviewOldSuppressions(_ db: Database, parser: BounceParser, now: Int64) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT s.address, s.event_id, e.detail FROM suppression s LEFT JOIN event e ON e.id = s.event_id
            WHERE s.reason LIKE 'hard bounce%'
            """)
        for row in rows {
            let address: String = row["address"]
            let bounceID = (row["detail"] as String?).flatMap(Self.bounceID(inDetail:))
            let raw = try bounceID.flatMap { try Data.fetchOne(db, sql: "SELECT raw FROM bounce WHERE id = ?", arguments: [$0]) }
            guard let raw else { continue }
            let reported = parser.parse([UInt8](raw)).perRecipient.first { candidate in
                [candidate.finalRecipient, candidate.originalRecipient].contains { $0.map(SuppressionAddress.normalise) == address }
            }
            if let reported, case .permanent = BounceSuppressionPolicy.standard.decision(for: reported) {
                try db.execute(sql: "UPDATE suppression SET bounce_reason = ?, bounce_id = ?, reason = ? WHERE address = ?",
                               arguments: [reported.reason.rawValue, bounceID, BounceSuppressionPolicy.describe(reported), address])
                continue
            }
            let why = reported.map { "its bounce reads as \($0.reason.rawValue) (\($0.severity?.rawValue ?? "not a failure")), which no longer suppresses" }
                ?? "its bounce no longer names this address"
            try db.execute(sql: "DELETE FROM suppression WHERE address = ?", arguments: [address])
            try db.execute(sql: "INSERT INTO event (at, kind, recipient, reason, detail) VALUES (?, 'suppression-removed', ?, ?, ?)",
                           arguments: [now, address, reported?.reason.rawValue,
                                       "removed from the suppression list by the v6 upgrade: \(why)\(bounceID.map { " [bounce #\($0)]" } ?? "")"])
        }
    }

    /// The `N` of the ` [bounce #N]` reference a bounce event's detail ends with.
    static func bounceID(inDetail detail: String) -> Int64? {
        guard let start = detail.range(of: "[bounce #", options: .backwards) else { return nil }
        return Int64(detail[start.upperBound...].prefix { $0.isNumber })
    }
}
