import Foundation
import OutboxCore
import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// Leases up to `limit` due messages to `leaseOwner` in one transaction, highest
    /// priority first, then the longest due. `FOR UPDATE SKIP LOCKED`: nodes claiming at
    /// the same time take disjoint messages and never wait for each other. The profile
    /// layers of the owners are read in the same transaction.
    ///
    /// Owners held or paused for a rate limit (``PostgresPauses``) are skipped. Recipients of
    /// letters who unsubscribed from the letter's owner become `suppressed`, and each letter
    /// comes with its unsubscribe token, as on SQLite. Before that, every open recipient whose
    /// address is actively on the suppression list becomes `suppressed` (as on SQLite).
    public func claimBatch(leaseOwner: String, limit: Int, now: Int64, dueBy: Int64, leaseUntil: Int64) async throws -> ClaimedBatch {
        let logger = logger
        return try await transaction { connection in
            try await PostgresPauses.lift(connection, logger: logger, now: now)
            var rows: [ClaimRow] = []
            for try await row in try await connection.query("""
                WITH due AS (
                    SELECT id FROM message
                    WHERE state IN ('queued','deferred') AND next_attempt_at <= \(dueBy)
                      AND owner NOT IN (SELECT owner FROM owner_pause)
                    ORDER BY priority DESC, next_attempt_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                UPDATE message m SET state = 'sending', lease_owner = \(leaseOwner), lease_expires_at = \(leaseUntil), updated_at = \(now)
                FROM due WHERE m.id = due.id
                RETURNING m.id, m.batch_id, m.owner, m.token, m.subject, m.text_body, m.html_body, m.headers, m.attempts,
                    GREATEST(m.created_at, COALESCE(m.not_before, m.created_at)), m.priority, m.next_attempt_at, m.kind, m.expires_at
                """, logger: logger).decode(ClaimRow.Columns.self) {
                rows.append(ClaimRow(row))
            }
            // Past its expiresAt: failed as expired instead of sent late (as on SQLite).
            for row in rows { if let expiresAt = row.expiresAt, expiresAt <= now { try await Self.expire(connection, logger: logger, row, expiresAt: expiresAt, now: now) } }
            rows.removeAll { $0.expiresAt.map { $0 <= now } ?? false }
            rows.sort { $0.priority != $1.priority ? $0.priority > $1.priority : ($0.due, $0.id) < ($1.due, $1.id) }
            let ids = rows.map(\.id), letters = rows.filter { MessageKind(rawValue: $0.kind)?.isUnsubscribable == true }.map(\.id)
            try await Self.suppressListed(connection, logger: logger, ofMessages: ids, now: now)
            try await Self.suppressUnsubscribed(connection, logger: logger, ofLetters: letters, now: now)
            let recipients = try await Self.recipients(connection, logger: logger, of: ids)
            let attachments = try await Self.attachments(connection, logger: logger, of: ids)
            let unsubscribeTokens = try await Self.unsubscribeTokens(connection, logger: logger, ofLetters: letters)
            let messages = rows.map { row in
                ClaimedMessage(
                    id: row.id, batchID: row.batchID, owner: row.owner, token: row.token, subject: row.subject, textBody: row.textBody,
                    htmlBody: row.htmlBody, headers: HeaderCoding.decode(row.headers).compactMap { try? HeaderField(name: $0.name, value: $0.value) },
                    recipients: recipients[row.id] ?? [], attachments: attachments[row.id] ?? [], attempts: row.attempts,
                    createdAt: row.createdAt, kind: MessageKind(rawValue: row.kind) ?? .transactional, unsubscribeToken: unsubscribeTokens[row.id])
            }
            var profiles: [String: ProfileLayers] = [:]
            for owner in Set(messages.map(\.owner)) { profiles[owner] = try await PostgresProfiles.layers(connection, logger: logger, owner: owner) }
            return ClaimedBatch(messages: messages, profiles: profiles, claimedAt: now)
        }
    }

    /// Marks every not-yet-sent recipient of the messages `ids` whose address is actively on
    /// the suppression list `suppressed`, with one `suppressed` event each (as
    /// `OutboxDatabase.suppressListed` on SQLite, same wording), in one statement. Addresses
    /// are compared as the list keys them: trimmed, ASCII lower-cased.
    private static func suppressListed(_ connection: PostgresConnection, logger: Logger, ofMessages ids: [Int64], now: Int64) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query("""
            WITH hit AS (
                UPDATE recipient r SET state = 'suppressed', last_reply = 'on the suppression list', updated_at = \(now)
                FROM message m, suppression s
                WHERE r.message_id = ANY(\(ids)) AND m.id = r.message_id AND r.state IN ('pending', 'deferred')
                  AND s.address = translate(btrim(r.address, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
                  AND (s.expires_at IS NULL OR s.expires_at > \(now))
                RETURNING r.id, r.message_id, r.address, m.batch_id, m.owner, s.reason, s.bounce_reason, s.expires_at)
            INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, reason, detail)
            SELECT \(now), 'suppressed', message_id, batch_id, owner, address, bounce_reason,
                'not attempted: address is on the suppression list (' || reason
                    || CASE WHEN expires_at IS NULL THEN ''
                            ELSE ', until ' || to_char(to_timestamp(expires_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') END
                    || ')'
            FROM hit ORDER BY message_id, id
            """, logger: logger)
    }

    /// Marks every not-yet-sent recipient of the letters `ids` who unsubscribed from that
    /// letter's owner `suppressed`, with one `suppressed` event each (as
    /// `OutboxDatabase.suppressUnsubscribed` on SQLite, same wording), in one statement.
    /// Addresses are compared as the unsubscription keys them: trimmed, ASCII lower-cased.
    private static func suppressUnsubscribed(_ connection: PostgresConnection, logger: Logger, ofLetters ids: [Int64], now: Int64) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query("""
            WITH hit AS (
                UPDATE recipient r SET state = 'suppressed', last_reply = 'unsubscribed from this owner''s letters', updated_at = \(now)
                FROM message m, unsubscription u
                WHERE r.message_id = ANY(\(ids)) AND m.id = r.message_id AND m.kind = 'letter' AND r.state IN ('pending', 'deferred')
                  AND u.owner = m.owner
                  AND u.address = translate(btrim(r.address, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
                RETURNING r.id, r.message_id, r.address, m.batch_id, m.owner, u.created_at, u.event_id)
            INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, detail)
            SELECT \(now), 'suppressed', message_id, batch_id, owner, address,
                'not attempted: unsubscribed from owner ' || owner || '''s letters on '
                    || to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"')
                    || ' (event #' || COALESCE(event_id::text, '?') || ')'
            FROM hit ORDER BY message_id, id
            """, logger: logger)
    }

    /// The unsubscribe token of each of the letters `ids` (one per letter, shared by its addresses).
    private static func unsubscribeTokens(_ connection: PostgresConnection, logger: Logger, ofLetters ids: [Int64]) async throws -> [Int64: String] {
        var result: [Int64: String] = [:]
        guard !ids.isEmpty else { return result }
        for try await (id, token) in try await connection.query("""
            SELECT DISTINCT ON (message_id) message_id, token FROM unsubscribe_token WHERE message_id = ANY(\(ids)) ORDER BY message_id, token
            """, logger: logger).decode((Int64, String).self) { result[id] = token }
        return result
    }

    private static func expire(_ connection: PostgresConnection, logger: Logger, _ row: ClaimRow, expiresAt: Int64, now: Int64) async throws {
        let text = MessageExpiry.text(expiresAt: expiresAt)
        try await connection.query("""
            UPDATE message SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = \(text), updated_at = \(now), finished_at = \(now)
            WHERE id = \(row.id)
            """, logger: logger)
        try await connection.query("""
            UPDATE recipient SET state = 'failed', last_reply = \(text), updated_at = \(now) WHERE message_id = \(row.id) AND state IN ('pending','deferred')
            """, logger: logger)
        try await PostgresEvents.append(connection, logger: logger, kind: .expired, at: now, messageID: row.id, batchID: row.batchID, owner: row.owner,
                                        reason: MessageExpiry.reason, detail: text)
    }

    static func recipients(_ connection: PostgresConnection, logger: Logger, of ids: [Int64]) async throws -> [Int64: [ClaimedRecipient]] {
        var result: [Int64: [ClaimedRecipient]] = [:]
        guard !ids.isEmpty else { return result }
        for try await (id, kind, address, name, state) in try await connection.query("""
            SELECT message_id, kind, address, display_name, state FROM recipient WHERE message_id = ANY(\(ids)) ORDER BY id
            """, logger: logger).decode((Int64, String, String, String?, String).self) {
            guard let kind = RecipientKind(rawValue: kind), let state = RecipientState(rawValue: state),
                let mailbox = try? Mailbox(address: address, displayName: name)
            else { continue }
            result[id, default: []].append(ClaimedRecipient(kind: kind, mailbox: mailbox, state: state))
        }
        return result
    }

    static func attachments(_ connection: PostgresConnection, logger: Logger, of ids: [Int64]) async throws -> [Int64: [MIMEAttachment]] {
        var result: [Int64: [MIMEAttachment]] = [:]
        guard !ids.isEmpty else { return result }
        var contents: [String: [UInt8]] = [:]
        for try await (id, sha, filename, type, contentID, data, encoding, size) in try await connection.query("""
            SELECT a.message_id, a.sha256, a.filename, a.content_type, a.content_id, c.data, c.encoding, c.size
            FROM attachment a JOIN content c USING (sha256) WHERE a.message_id = ANY(\(ids)) ORDER BY a.message_id, a.position
            """, logger: logger).decode((Int64, String, String, String?, String?, Data, String?, Int).self) {
            if contents[sha] == nil { contents[sha] = try StoredBytes.content(data, encoding: encoding, size: size, sha256: sha) }
            result[id, default: []].append(MIMEAttachment(filename: filename, contentType: type, data: contents[sha] ?? [], contentID: contentID))
        }
        return result
    }
}

/// One claimed row as read back from the claim's `RETURNING`.
private struct ClaimRow {
    typealias Columns = (Int64, Int64, String, String, String, String?, String?, String?, Int, Int64, Int, Int64, String, Int64?)
    let id: Int64, batchID: Int64, owner: String, token: String, subject: String
    let textBody: String?, htmlBody: String?, headers: String?
    /// `createdAt`: the later of the enqueue and the message's notBefore (the retry policy's age counts from it).
    let attempts: Int, createdAt: Int64, priority: Int, due: Int64, kind: String, expiresAt: Int64?

    init(_ c: Columns) {
        (id, batchID, owner, token, subject, textBody, htmlBody, headers, attempts, createdAt, priority, due, kind, expiresAt) = c
    }
}
