import Foundation
import GRDB
import OutboxCore

/// The reason an event and the message's last error carry when a message failed because
/// it could not be sent in time: past its `expiresAt`, or deferred longer than the retry
/// policy's `give-up-after`. Both end as state `failed` with an `expired` event.
package enum MessageExpiry {
    package static let reason = "expired"

    /// The last error, recipient reply and event detail of a message failed at its `expiresAt`.
    package static func text(expiresAt: Int64) -> String {
        "\(reason): not sent before its expiresAt \(OutboxDatabase.rfc3339(expiresAt)); not sent late"
    }
}

extension OutboxDatabase {
    /// Inside the claim's transaction: when the just-claimed `row` (with `expires_at`) is
    /// past its `expiresAt`, fails it instead of sending it late — state `failed`, open
    /// recipients `failed`, an `expired` event with reason `expired` — and returns true.
    static func expireIfPast(_ db: Database, claimed row: Row, now: Int64) throws -> Bool {
        guard let expiresAt = row["expires_at"] as Int64?, expiresAt <= now else { return false }
        let id: Int64 = row["id"]
        let text = MessageExpiry.text(expiresAt: expiresAt)
        try db.cachedStatement(sql: """
            UPDATE message SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = ?, updated_at = ?, finished_at = ?
            WHERE id = ?
            """).execute(arguments: [text, now, now, id])
        try db.cachedStatement(sql: """
            UPDATE recipient SET state = 'failed', last_reply = ?, updated_at = ? WHERE message_id = ? AND state IN ('pending','deferred')
            """).execute(arguments: [text, now, id])
        try EventLog.append(db, kind: .expired, at: now, messageID: id, batchID: row["batch_id"], owner: row["owner"],
                            reason: MessageExpiry.reason, detail: text)
        return true
    }

    /// `2026-12-02T06:00:00.250Z` for Unix milliseconds.
    static func rfc3339(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
