import Foundation
import OutboxCore
public import OutboxStore
import PostgresNIO

/// Unknown outcomes on PostgreSQL (table `unknown_outcome`), as on SQLite: a message whose
/// outcome is unknown is parked in `deferred` with its next step; one parked for an operator
/// (or for a Sent-folder look) is due at ``OutboxStore/OutboxDatabase/parkedUntil``, so no
/// node claims it until it is resolved. Resolving locks the message row: two operators (or
/// an operator and a node) never resolve one twice.
extension PostgresStore {
    /// The open unknown outcome of a message (`show`), or nil; as `OutboxDatabase.unknownOutcome(messageID:)`.
    public func unknownOutcome(messageID: Int64) async throws -> UnknownOutcome? {
        try await unknownOutcomes(of: messageID).first
    }

    /// Every message with an unknown outcome not yet resolved, oldest first (`status`).
    public func unknownOutcomes() async throws -> [UnknownOutcome] {
        try await unknownOutcomes(of: nil)
    }

    private func unknownOutcomes(of messageID: Int64?) async throws -> [UnknownOutcome] {
        var found: [UnknownOutcome] = []
        for try await row in try await client.query("""
            SELECT message_id, owner, header_message_id, action, since, due_at, checks, detail FROM unknown_outcome
            WHERE \(messageID)::bigint IS NULL OR message_id = \(messageID) ORDER BY since, message_id
            """, logger: logger).decode((Int64, String, String?, String, Int64, Int64?, Int, String).self) { found.append(try Self.unknownOutcome(row)) }
        return found
    }

    private static func unknownOutcome(_ row: (Int64, String, String?, String, Int64, Int64?, Int, String)) throws -> UnknownOutcome {
        guard let action = UnknownOutcome.Action(rawValue: row.3) else {
            throw StoreError(.corruptData, "unknown_outcome of message \(row.0) has action '\(row.3)'")
        }
        return UnknownOutcome(messageID: row.0, owner: row.1, headerMessageID: row.2, action: action, since: row.4, dueAt: row.5, checks: row.6,
                              detail: row.7)
    }

    /// Resolves (or takes the next step for) the unknown outcome of `messageID` in one
    /// transaction with one event, as ``OutboxStore/OutboxDatabase/resolveUnknown(messageID:_:byOperator:now:)``;
    /// throws `.notFound` (nothing written) when the message has none.
    public func resolveUnknown(messageID: Int64, _ resolution: UnknownResolution, byOperator: Bool = false, now: Int64) async throws {
        let logger = logger
        try await transaction { connection in
            var message: (state: String, batchID: Int64)?
            for try await row in try await connection.query(
                "SELECT state, batch_id FROM message WHERE id = \(messageID) FOR UPDATE", logger: logger).decode((String, Int64).self) { message = row }
            var parked: UnknownOutcome?
            for try await row in try await connection.query("""
                SELECT message_id, owner, header_message_id, action, since, due_at, checks, detail FROM unknown_outcome WHERE message_id = \(messageID)
                """, logger: logger).decode((Int64, String, String?, String, Int64, Int64?, Int, String).self) { parked = try Self.unknownOutcome(row) }
            guard let parked, let message, message.state == MessageState.deferred.rawValue else {
                throw StoreError(.notFound, "message \(messageID) has no unknown outcome to resolve (see `outbox show \(messageID)`)")
            }
            func event(_ kind: EventKind, _ detail: String) async throws {
                try await PostgresEvents.append(connection, logger: logger, kind: kind, at: now, messageID: messageID, batchID: message.batchID,
                                                owner: parked.owner, detail: detail)
            }
            switch resolution {
            case .sent(let detail):
                try await connection.query("""
                    UPDATE message SET state = 'sent', finished_at = \(now), updated_at = \(now), last_error = NULL, next_attempt_at = \(now)
                    WHERE id = \(messageID)
                    """, logger: logger)
                try await connection.query("""
                    UPDATE recipient SET state = 'sent', last_reply = \(detail), updated_at = \(now) WHERE message_id = \(messageID) AND state IN ('pending','deferred')
                    """, logger: logger)
                try await connection.query("DELETE FROM unknown_outcome WHERE message_id = \(messageID)", logger: logger)
                if byOperator { try await event(.resolved, "operator: sent — \(detail)") }
                try await event(.sent, detail)
            case .resend(let at, let detail):
                try await connection.query("UPDATE message SET next_attempt_at = \(at), updated_at = \(now) WHERE id = \(messageID)", logger: logger)
                try await connection.query("DELETE FROM unknown_outcome WHERE message_id = \(messageID)", logger: logger)
                try await event(byOperator ? .resolved : .unknownChecked, detail)
            case .hold(let detail):
                try await connection.query("UPDATE unknown_outcome SET action = 'hold', due_at = NULL, detail = \(detail) WHERE message_id = \(messageID)",
                                           logger: logger)
                try await event(.unknownChecked, detail)
            case .checkAgain(let at, let detail):
                try await connection.query("UPDATE unknown_outcome SET due_at = \(at), detail = \(detail) WHERE message_id = \(messageID)", logger: logger)
                try await event(.unknownChecked, detail)
            }
        }
        if case .resend = resolution { try await notifyClaimable() }  // due now: a node claims it
    }

    /// Inside the outcomes' transaction: the header block as sent of each recorded message
    /// that has one (``OutboxCore/SentHeader``, for `show --eml`), in one statement for the group.
    static func keepSentHeaders(_ connection: PostgresConnection, logger: Logger, _ recorded: [PendingRecord], now: Int64) async throws {
        let kept = recorded.compactMap { entry in entry.record.sentHeader.map { (entry.messageID, Data($0.header).base64EncodedString(), $0.sha256) } }
        guard !kept.isEmpty else { return }
        try await connection.query("""
            INSERT INTO sent_header (message_id, header, sha256, sent_at)
            SELECT id, decode(header, 'base64'), sha256, \(now) FROM UNNEST(\(kept.map(\.0))::bigint[], \(kept.map(\.1))::text[], \(kept.map(\.2))::text[])
                AS t(id, header, sha256)
            ON CONFLICT (message_id) DO UPDATE SET header = excluded.header, sha256 = excluded.sha256, sent_at = excluded.sent_at
            """, logger: logger)
    }
}
