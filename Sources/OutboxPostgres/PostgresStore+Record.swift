import Foundation
import OutboxCore
import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// Records attempts in one transaction, each with its recipients and its `attempt` and
    /// outcome events; only the lease's owner may record (false for an entry whose message is
    /// no longer leased to `leaseOwner`: nothing is written for it). An unknown outcome is
    /// parked (deferred, due when its plan says resend, else never) with its step in
    /// `unknown_outcome` and its `unknown` event; the headers as sent are kept for `show --eml`.
    ///
    /// A group costs the same statements whatever its size (``RecordedGroup``): one `UPDATE`
    /// of the messages (locked in id order first, as every multi-row write of leased
    /// messages, see renewLeases: no deadlock between nodes), one of the recipients, one
    /// `INSERT` of the events in the order one message at a time would write them, one of
    /// the sent headers, and for unknown outcomes one write of `unknown_outcome`.
    public func record(_ entries: [PendingRecord], leaseOwner: String, now: Int64) async throws -> [Bool] {
        guard !entries.isEmpty else { return [] }
        let logger = logger
        return try await transaction { connection in
            let group = RecordedGroup(entries)
            let leased = try await group.updateMessages(connection, logger: logger, leaseOwner: leaseOwner, now: now)
            try await group.writeUnknownOutcomes(connection, logger: logger, leased, now: now)
            try await group.updateRecipients(connection, logger: logger, leased, now: now)
            try await group.appendEvents(connection, logger: logger, leased, now: now)
            try await Self.keepSentHeaders(connection, logger: logger, group.recorded(leased), now: now)
            return entries.indices.map { group.firstIndex[entries[$0].messageID] == $0 && leased[entries[$0].messageID] != nil }
        }
    }
}

/// One group of outcomes written a table at a time; each statement takes the group's rows
/// as one JSON array (`jsonb_to_recordset`: absent keys are NULLs).
private struct RecordedGroup {
    /// What the message `UPDATE … RETURNING` gave back for a message still leased.
    struct Leased { let batchID: Int64, owner: String, attempt: Int }

    /// The entries, one per message in id order. A message given twice is recorded once, as
    /// its first entry (one at a time, the second found it no longer `sending`).
    let entries: [PendingRecord]
    let firstIndex: [Int64: Int]

    init(_ all: [PendingRecord]) {
        var first: [Int64: Int] = [:]
        for (index, entry) in all.enumerated() where first[entry.messageID] == nil { first[entry.messageID] = index }
        firstIndex = first
        entries = first.sorted { $0.key < $1.key }.map { all[$0.value] }
    }

    func recorded(_ leased: [Int64: Leased]) -> [PendingRecord] { entries.filter { leased[$0.messageID] != nil } }

    private struct MessageRow: Encodable {
        let id: Int64, state: String, next: Int64?, clamp: Bool, code: Int?, error: String?, finished: Int64?
    }

    /// Locks the messages still leased to `leaseOwner` in id order, then changes them in one statement.
    func updateMessages(_ connection: PostgresConnection, logger: Logger, leaseOwner: String, now: Int64) async throws -> [Int64: Leased] {
        let rows = entries.map { entry in
            let record = entry.record, (state, next, finished) = record.messageChange(now: now)
            // A retry is never put after the message's expiresAt (the claim then fails it as expired).
            let clamps = if case .deferred = record.verdict { true } else { false }
            return MessageRow(id: entry.messageID, state: state.rawValue, next: next, clamp: clamps, code: record.code,
                              error: record.verdict == .sent ? nil : record.text, finished: finished)
        }
        var leased: [Int64: Leased] = [:]
        for try await (id, batchID, owner, attempt) in try await connection.query("""
            WITH outcome AS (
                SELECT * FROM jsonb_to_recordset(\(try Self.json(rows))::jsonb)
                    AS o(id bigint, state text, next bigint, clamp boolean, code integer, error text, finished bigint)),
            locked AS MATERIALIZED (
                SELECT id FROM message WHERE id = ANY(\(entries.map(\.messageID))::bigint[]) AND state = 'sending' AND lease_owner = \(leaseOwner)
                ORDER BY id FOR UPDATE)
            UPDATE message m SET state = o.state, attempts = m.attempts + 1,
                next_attempt_at = COALESCE(LEAST(o.next, CASE WHEN o.clamp THEN m.expires_at END), m.next_attempt_at),
                lease_owner = NULL, lease_expires_at = NULL, last_code = o.code, last_error = o.error, updated_at = \(now), finished_at = o.finished
            FROM locked l JOIN outcome o ON o.id = l.id
            WHERE m.id = l.id AND m.state = 'sending' AND m.lease_owner = \(leaseOwner)
            RETURNING m.id, m.batch_id, m.owner, m.attempts
            """, logger: logger).decode((Int64, Int64, String, Int).self) {
            leased[id] = Leased(batchID: batchID, owner: owner, attempt: attempt)
        }
        return leased
    }

    private struct UnknownRow: Encodable {
        let message_id: Int64, owner: String, header_message_id: String?, action: String, due_at: Int64?, detail: String
    }

    /// An unknown outcome's first step; a resent message that had an unknown outcome has its answer now.
    func writeUnknownOutcomes(_ connection: PostgresConnection, logger: Logger, _ leased: [Int64: Leased], now: Int64) async throws {
        var parked: [UnknownRow] = [], answered: [Int64] = []
        for entry in recorded(leased) {
            guard let message = leased[entry.messageID] else { continue }
            if case .unknown(let plan) = entry.record.verdict {
                parked.append(UnknownRow(message_id: entry.messageID, owner: message.owner, header_message_id: plan.headerMessageID,
                                         action: plan.action.rawValue, due_at: plan.dueAt, detail: entry.record.text))
            } else if message.attempt > 1 {
                answered.append(entry.messageID)
            }
        }
        if !parked.isEmpty {
            try await connection.query("""
                INSERT INTO unknown_outcome (message_id, owner, header_message_id, action, since, due_at, checks, detail)
                SELECT message_id, owner, header_message_id, action, \(now), due_at, 0, detail
                FROM jsonb_to_recordset(\(try Self.json(parked))::jsonb)
                    AS u(message_id bigint, owner text, header_message_id text, action text, due_at bigint, detail text)
                ORDER BY message_id
                ON CONFLICT (message_id) DO UPDATE SET owner = excluded.owner, header_message_id = excluded.header_message_id, action = excluded.action,
                    since = excluded.since, due_at = excluded.due_at, checks = 0, detail = excluded.detail
                """, logger: logger)
        }
        if !answered.isEmpty {
            try await connection.query("DELETE FROM unknown_outcome WHERE message_id = ANY(\(answered)::bigint[])", logger: logger)
        }
    }

    private struct RecipientRow: Encodable {
        let message_id: Int64, address: String, state: String, code: Int?, reply: String?
    }

    /// Each recipient row still pending or deferred takes its outcome. An address given twice
    /// for one message ends as one at a time leaves it: the first outcome that is neither
    /// pending nor deferred (the later ones no longer match), else the last.
    func updateRecipients(_ connection: PostgresConnection, logger: Logger, _ leased: [Int64: Leased], now: Int64) async throws {
        var rows: [RecipientRow] = []
        for entry in recorded(leased) {
            var chosen: [String: RecipientOutcome] = [:], addresses: [String] = []
            for outcome in entry.record.recipients {
                if let earlier = chosen[outcome.address] {
                    if earlier.state == .pending || earlier.state == .deferred { chosen[outcome.address] = outcome }
                } else {
                    chosen[outcome.address] = outcome
                    addresses.append(outcome.address)
                }
            }
            rows += addresses.compactMap { chosen[$0] }.map {
                RecipientRow(message_id: entry.messageID, address: $0.address, state: $0.state.rawValue, code: $0.code, reply: $0.reply)
            }
        }
        guard !rows.isEmpty else { return }
        try await connection.query("""
            UPDATE recipient r SET state = o.state, last_code = o.code, last_reply = o.reply, updated_at = \(now)
            FROM jsonb_to_recordset(\(try Self.json(rows))::jsonb) AS o(message_id bigint, address text, state text, code integer, reply text)
            WHERE r.message_id = o.message_id AND r.address = o.address AND r.state IN ('pending','deferred')
            """, logger: logger)
    }

    private struct EventRow: Encodable {
        let ord: Int, kind: String, message_id: Int64, batch_id: Int64, owner: String
        let code: Int?, enhanced_code: String?, reason: String?, detail: String
    }

    /// Each message's `attempt` event, then its outcome's, messages in id order.
    func appendEvents(_ connection: PostgresConnection, logger: Logger, _ leased: [Int64: Leased], now: Int64) async throws {
        var rows: [EventRow] = []
        for entry in recorded(leased) {
            guard let message = leased[entry.messageID] else { continue }
            let record = entry.record
            func row(_ ord: Int, _ kind: EventKind, reason: String?, _ detail: String) -> EventRow {
                EventRow(ord: ord, kind: kind.rawValue, message_id: entry.messageID, batch_id: message.batchID, owner: message.owner,
                         code: record.code, enhanced_code: record.enhancedCode, reason: reason, detail: detail)
            }
            let ord = rows.count
            rows.append(row(ord, .attempt, reason: nil, "attempt \(message.attempt)"))
            rows.append(row(ord + 1, record.eventKind, reason: record.verdict == .expired ? MessageExpiry.reason : nil, record.text))
        }
        guard !rows.isEmpty else { return }
        try await connection.query("""
            INSERT INTO event (at, kind, message_id, batch_id, owner, code, enhanced_code, reason, detail)
            SELECT \(now), kind, message_id, batch_id, owner, code, enhanced_code, reason, detail
            FROM jsonb_to_recordset(\(try Self.json(rows))::jsonb)
                AS e(ord integer, kind text, message_id bigint, batch_id bigint, owner text, code integer, enhanced_code text, reason text, detail text)
            ORDER BY ord
            """, logger: logger)
    }

    private static func json(_ rows: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
    }
}
