import Foundation
import GRDB
import OutboxCore

/// The reads and writes of one bounce ingest, inside a transaction the store holds: what
/// ``BounceMatcher``, ``BounceEventWriter`` and ``BounceRecorder`` need of a store, so the
/// matching, the events and the suppression policy are decided once for SQLite
/// (``SQLiteBounceLedger``) and PostgreSQL (`PostgresBounceLedger`). Synchronous: a
/// PostgreSQL ledger blocks its caller's own thread (never Swift's concurrency pool).
package protocol BounceLedger {
    /// The message whose `token` is `token` or its lower-cased form.
    func message(token: String, lowered: String) throws -> (id: Int64, batchID: Int64, owner: String)?
    /// The recipient rows of `messageID`, in id order.
    func recipients(ofMessage messageID: Int64) throws -> [(id: Int64, address: String)]
    /// The most recent `sent` or `bounced` recipient row with `address` (any case) updated since `since`.
    func recentSend(to address: String, since: Int64) throws -> (recipientID: Int64, address: String, messageID: Int64, batchID: Int64, owner: String)?

    /// The bounce row of these exact bytes, if recorded.
    func bounce(sha256: String) throws -> (id: Int64, kind: String, messageID: Int64?, matchedBy: String?)?
    /// Adds the raw row and returns its id.
    func insertBounce(receivedAt: Int64, source: String, sha256: String, raw: [UInt8], kind: String, format: String, subject: String?) throws -> Int64
    /// Sets what the bounce was matched to and its reasons (`kind` nil: unchanged).
    func updateBounce(id: Int64, kind: String?, messageID: Int64?, matchedBy: String?, reasons: String?) throws

    /// Appends one event and returns its id.
    func appendEvent(at: Int64, kind: String, messageID: Int64?, batchID: Int64?, owner: String?, recipient: String?, code: Int?,
                     enhancedCode: String?, reason: String?, severity: String?, detail: String) throws -> Int64
    /// Kinds, messages and recipients of the events `ids`, in id order.
    func events(ids: [Int64]) throws -> [(id: Int64, kind: String, messageID: Int64?, recipient: String?)]
    /// Marks a recipient row `bounced` with its reply and reason.
    func markBounced(recipientID: Int64, code: Int?, reply: String?, reason: String, severity: String, now: Int64) throws

    /// ``SuppressionList/put(_:address:reason:bounceReason:eventID:bounceID:expiresAt:now:)``.
    func suppress(address: String, reason: String, bounceReason: BounceReason?, eventID: Int64?, bounceID: Int64?, expiresAt: Int64?,
                  now: Int64) throws -> Bool
    /// ``SuppressionList/softBounces(_:address:reasons:since:)``.
    func softBounces(address: String, reasons: Set<BounceReason>, since: Int64) throws -> Int
    /// Counts one more sender problem of `owner` for `reason` (its latest event `eventID`).
    func countSenderProblem(owner: String, reason: String, eventID: Int64, now: Int64) throws
    /// The addresses, owner and letter of an unsubscribe token, by address (binary order).
    func unsubscribeTokenRows(_ token: String) throws -> [(address: String, owner: String, messageID: Int64)]
    /// The batch of a message, if it is still there.
    func batchID(ofMessage messageID: Int64) throws -> Int64?
    /// When `address` unsubscribed from `owner`'s letters, if it did.
    func unsubscribedAt(owner: String, address: String) throws -> Int64?
    /// Records that `address` unsubscribed from `owner`'s letters.
    func addUnsubscription(owner: String, address: String, now: Int64, eventID: Int64, messageID: Int64, source: UnsubscribeSource) throws
}

extension BounceLedger {
    /// The `IN (…)` list of the soft reasons counted toward a suppression, quoted, sorted.
    package static func sqlList(_ reasons: Set<BounceReason>) -> String {
        reasons.map { "'\($0.rawValue)'" }.sorted().joined(separator: ",")
    }
}

/// ``BounceLedger`` on the SQLite outbox, inside the caller's write transaction.
struct SQLiteBounceLedger: BounceLedger {
    let db: Database

    func message(token: String, lowered: String) throws -> (id: Int64, batchID: Int64, owner: String)? {
        try Row.fetchOne(db, sql: "SELECT id, batch_id, owner FROM message WHERE token IN (?, ?) LIMIT 1", arguments: [token, lowered])
            .map { ($0["id"], $0["batch_id"], $0["owner"]) }
    }

    func recipients(ofMessage messageID: Int64) throws -> [(id: Int64, address: String)] {
        try Row.fetchAll(db, sql: "SELECT id, address FROM recipient WHERE message_id = ? ORDER BY id", arguments: [messageID])
            .map { ($0["id"], $0["address"]) }
    }

    func recentSend(to address: String, since: Int64) throws -> (recipientID: Int64, address: String, messageID: Int64, batchID: Int64, owner: String)? {
        try Row.fetchOne(db, sql: """
            SELECT r.id AS rid, r.address, m.id AS mid, m.batch_id, m.owner FROM recipient r JOIN message m ON m.id = r.message_id
            WHERE lower(r.address) = lower(?) AND r.state IN ('sent', 'bounced') AND r.updated_at >= ?
            ORDER BY r.updated_at DESC, r.id DESC LIMIT 1
            """, arguments: [address, since]).map { ($0["rid"], $0["address"], $0["mid"], $0["batch_id"], $0["owner"]) }
    }

    func bounce(sha256: String) throws -> (id: Int64, kind: String, messageID: Int64?, matchedBy: String?)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT id, kind, message_id, matched_by FROM bounce WHERE sha256 = ?"), arguments: [sha256])
            .map { ($0["id"], $0["kind"], $0["message_id"], $0["matched_by"]) }
    }

    func insertBounce(receivedAt: Int64, source: String, sha256: String, raw: [UInt8], kind: String, format: String, subject: String?) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO bounce (received_at, source, sha256, size, raw, kind, format, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [receivedAt, source, sha256, raw.count, Data(raw), kind, format, subject])
        return db.lastInsertedRowID
    }

    func updateBounce(id: Int64, kind: String?, messageID: Int64?, matchedBy: String?, reasons: String?) throws {
        try db.execute(sql: "UPDATE bounce SET kind = COALESCE(?, kind), message_id = ?, matched_by = ?, reasons = ? WHERE id = ?",
                       arguments: [kind, messageID, matchedBy, reasons, id])
    }

    func appendEvent(at: Int64, kind: String, messageID: Int64?, batchID: Int64?, owner: String?, recipient: String?, code: Int?,
                     enhancedCode: String?, reason: String?, severity: String?, detail: String) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, code, enhanced_code, reason, severity, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [at, kind, messageID, batchID, owner, recipient, code, enhancedCode, reason, severity, detail])
        return db.lastInsertedRowID
    }

    func events(ids: [Int64]) throws -> [(id: Int64, kind: String, messageID: Int64?, recipient: String?)] {
        guard !ids.isEmpty else { return [] }
        return try Row.fetchAll(db, sql: "SELECT id, kind, message_id, recipient FROM event WHERE id IN (\(ids.map(String.init).joined(separator: ","))) ORDER BY id")
            .map { ($0["id"], $0["kind"], $0["message_id"], $0["recipient"]) }
    }

    func markBounced(recipientID: Int64, code: Int?, reply: String?, reason: String, severity: String, now: Int64) throws {
        try db.execute(sql: """
            UPDATE recipient SET state = 'bounced', last_code = ?, last_reply = ?, bounce_reason = ?, bounce_severity = ?, updated_at = ?
            WHERE id = ?
            """, arguments: [code, reply, reason, severity, now, recipientID])
    }

    func suppress(address: String, reason: String, bounceReason: BounceReason?, eventID: Int64?, bounceID: Int64?, expiresAt: Int64?,
                  now: Int64) throws -> Bool {
        try SuppressionList.put(db, address: address, reason: reason, bounceReason: bounceReason, eventID: eventID, bounceID: bounceID,
                                expiresAt: expiresAt, now: now)
    }

    func softBounces(address: String, reasons: Set<BounceReason>, since: Int64) throws -> Int {
        try SuppressionList.softBounces(db, address: address, reasons: reasons, since: since)
    }

    func countSenderProblem(owner: String, reason: String, eventID: Int64, now: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO sender_problem (owner, reason, count, first_at, last_at, last_event_id) VALUES (?1, ?2, 1, ?3, ?3, ?4)
            ON CONFLICT(owner, reason) DO UPDATE SET count = count + 1, last_at = excluded.last_at, last_event_id = excluded.last_event_id
            """).execute(arguments: [owner, reason, now, eventID])
    }

    func unsubscribeTokenRows(_ token: String) throws -> [(address: String, owner: String, messageID: Int64)] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT address, owner, message_id FROM unsubscribe_token WHERE token = ? ORDER BY address"),
                         arguments: [token]).map { ($0["address"], $0["owner"], $0["message_id"]) }
    }

    func batchID(ofMessage messageID: Int64) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT batch_id FROM message WHERE id = ?"), arguments: [messageID])
    }

    func unsubscribedAt(owner: String, address: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT created_at FROM unsubscription WHERE owner = ? AND address = ?"),
                           arguments: [owner, address])
    }

    func addUnsubscription(owner: String, address: String, now: Int64, eventID: Int64, messageID: Int64, source: UnsubscribeSource) throws {
        try db.cachedStatement(sql: """
            INSERT INTO unsubscription (owner, address, created_at, event_id, message_id, source, bounce_id) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [owner, address, now, eventID, messageID, source.name, source.bounceID])
    }
}
