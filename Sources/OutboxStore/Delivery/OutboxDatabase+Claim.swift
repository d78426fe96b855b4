import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Leases up to `limit` due messages to `leaseOwner` in one transaction: state
    /// `sending`, lease until `leaseUntil`; highest priority first, then the longest due.
    /// Messages of owners under a hold or rate pause are skipped; holds whose timer passed
    /// or whose profile changed are lifted first. In the same transaction, every open
    /// recipient whose address is actively suppressed becomes `suppressed` (one event
    /// each), so the claimed recipients say who may be sent to; if that check fails, the
    /// claim fails and nothing is sent.
    ///
    /// - Parameters:
    ///   - now: the current time (Unix milliseconds).
    ///   - dueBy: claim messages due at or before this time (`now`, or the start of a `--once` run).
    public func claim(leaseOwner: String, limit: Int, now: Int64, dueBy: Int64, leaseUntil: Int64) throws -> [ClaimedMessage] {
        try claimBatch(leaseOwner: leaseOwner, limit: limit, now: now, dueBy: dueBy, leaseUntil: leaseUntil).messages
    }

    /// ``claim(leaseOwner:limit:now:dueBy:leaseUntil:)``, plus the profile layers of every
    /// owner in the batch, read in the same transaction (one profile read per batch, not
    /// per message).
    public func claimBatch(leaseOwner: String, limit: Int, now: Int64, dueBy: Int64, leaseUntil: Int64) throws -> ClaimedBatch {
        try pool.write { db in
            try Self.liftPauses(db, now: now)
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                UPDATE message SET state = 'sending', lease_owner = :lease, lease_expires_at = :until, updated_at = :now
                WHERE id IN (
                    SELECT id FROM message INDEXED BY message_claim
                    WHERE state IN ('queued','deferred') AND next_attempt_at <= :due
                      AND owner NOT IN (SELECT owner FROM owner_pause)
                    ORDER BY priority DESC, next_attempt_at LIMIT :limit)
                RETURNING id, batch_id, owner, token, subject, text_body, html_body, headers, attempts, priority, next_attempt_at, kind,
                    max(created_at, coalesce(not_before, created_at)) AS created_at, expires_at
                """), arguments: ["lease": leaseOwner, "until": leaseUntil, "now": now, "due": dueBy, "limit": limit])
                .filter { row in try !Self.expireIfPast(db, claimed: row, now: now) }
            _ = try Self.suppressRecipients(db, ofMessages: rows.map { $0["id"] }, now: now)
            // Sort keys read once per row: a read by column name lowercases the name each time.
            let ordered = rows.map { (row: $0, priority: $0["priority"] as Int, due: $0["next_attempt_at"] as Int64) }
                .sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.due < $1.due }.map(\.row)
            var contents: [String: [UInt8]] = [:]
            let messages = try ordered.map { row in try Self.claimed(db, row: row, contents: &contents) }
            var profiles: [String: ProfileLayers] = [:]
            for owner in Set(messages.map(\.owner)) { profiles[owner] = try Self.profileLayers(db, owner: owner, secrets: secrets) }
            return ClaimedBatch(messages: messages, profiles: profiles, claimedAt: now)
        }
    }

    /// Removes pauses whose time passed and holds whose profile changed since.
    static func liftPauses(_ db: Database, now: Int64) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM owner_pause)")) == true else { return }
        let lifted = try String.fetchAll(db, sql: """
            DELETE FROM owner_pause
            WHERE until <= :now OR (kind = 'hold' AND stamp <> \(ProfileStamp.sql("owner_pause.owner")))
            RETURNING owner
            """, arguments: ["now": now])
        for owner in lifted {
            try db.execute(sql: "UPDATE profile SET held_until = NULL, held_reason = NULL WHERE owner = ? AND held_until IS NOT NULL",
                           arguments: [owner])
        }
    }

    static func claimed(_ db: Database, row: Row, contents: inout [String: [UInt8]]) throws -> ClaimedMessage {
        let id: Int64 = row["id"]
        let recipients = try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, address, display_name, state FROM recipient WHERE message_id = ? ORDER BY id"),
                                          arguments: [id]).compactMap { r -> ClaimedRecipient? in
            guard let kind = RecipientKind(rawValue: r["kind"]), let state = RecipientState(rawValue: r["state"]),
                let mailbox = try? Mailbox(address: r["address"], displayName: r["display_name"])
            else { return nil }
            return ClaimedRecipient(kind: kind, mailbox: mailbox, state: state)
        }
        var attachments: [MIMEAttachment] = []
        for a in try Row.fetchAll(db.cachedStatement(sql: "SELECT sha256, filename, content_type, content_id FROM attachment WHERE message_id = ? ORDER BY position"),
                                  arguments: [id]) {
            let sha: String = a["sha256"]
            if contents[sha] == nil, let stored = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT data, encoding, size FROM content WHERE sha256 = ?"), arguments: [sha]) {
                contents[sha] = try StoredBytes.content(stored["data"], encoding: stored["encoding"], size: stored["size"], sha256: sha)
            }
            attachments.append(MIMEAttachment(filename: a["filename"], contentType: a["content_type"], data: contents[sha] ?? [],
                                              contentID: a["content_id"]))
        }
        let headers = HeaderCoding.decode(row["headers"]).compactMap { try? HeaderField(name: $0.name, value: $0.value) }
        let kind = MessageKind(rawValue: row["kind"] ?? "") ?? .transactional
        return ClaimedMessage(
            id: id, batchID: row["batch_id"], owner: row["owner"], token: row["token"], subject: row["subject"],
            textBody: try StoredBytes.text(row["text_body"], what: "the text body of message \(id)"),
            htmlBody: try StoredBytes.text(row["html_body"], what: "the HTML body of message \(id)"), headers: headers, recipients: recipients,
            attachments: attachments, attempts: row["attempts"], createdAt: row["created_at"], kind: kind,
            unsubscribeToken: kind.isUnsubscribable ? try UnsubscribeTokens.token(db, messageID: id) : nil)
    }
}
