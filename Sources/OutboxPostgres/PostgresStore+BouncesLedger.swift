import Dispatch
import Foundation
import OutboxCore
import OutboxStore
import PostgresNIO
import Synchronization

/// A pooled connection lent to a caller on a thread of its own (a bounce door, the
/// mailbox poller) for as long as it needs one session: a transaction, or a session-level
/// advisory lock. Each ``run(_:)`` blocks the calling thread while the query runs on
/// postgres-nio's event loop; never use it from Swift's concurrency pool.
final class BlockingConnection: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    let location: PostgresLocation
    private let finish: AsyncStream<Never>.Continuation
    private let returned: DispatchSemaphore

    private init(connection: PostgresConnection, logger: Logger, location: PostgresLocation, finish: AsyncStream<Never>.Continuation,
                 returned: DispatchSemaphore) {
        self.connection = connection
        self.logger = logger
        self.location = location
        self.finish = finish
        self.returned = returned
    }

    /// Takes a connection out of `store`'s pool until ``giveBack()``.
    static func lease(_ store: PostgresStore) throws -> BlockingConnection {
        let (stream, finish) = AsyncStream<Never>.makeStream()
        let handed = Mutex<Result<PostgresConnection, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0), returned = DispatchSemaphore(value: 0)
        let client = store.client
        Task {
            defer { returned.signal() }
            do {
                try await client.withConnection { connection in
                    handed.withLock { $0 = .success(connection) }
                    ready.signal()
                    for await _ in stream {}
                }
            } catch {
                if handed.withLock({ slot in
                    guard slot == nil else { return false }
                    slot = .failure(error)
                    return true
                }) { ready.signal() }
            }
        }
        ready.wait()
        do {
            return BlockingConnection(connection: try handed.withLock { $0! }.get(), logger: store.logger, location: store.location,
                                      finish: finish, returned: returned)
        } catch {
            finish.finish()
            throw StoreError(.cannotOpenDatabase, "cannot reach the PostgreSQL outbox \(store.location): \(PostgresStore.describe(error))")
        }
    }

    /// Runs `body` on the connection and blocks this thread until it ends; a query error
    /// becomes a ``OutboxStore/StoreError`` with the server's message (temporary, as I/O errors are).
    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws -> T {
        let connection = connection, logger = logger
        do {
            return try waitingOnThisThread { try await body(connection, logger) }
        } catch let error as PSQLError {
            throw StoreError(.ioError, "PostgreSQL outbox \(location): \(PostgresStore.describe(error))")
        }
    }

    /// `body` in one transaction on this connection: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try run { connection, logger in try await connection.query("BEGIN", logger: logger) }
        do {
            let result = try body()
            try run { connection, logger in try await connection.query("COMMIT", logger: logger) }
            return result
        } catch {
            _ = try? run { connection, logger in try await connection.query("ROLLBACK", logger: logger) }
            throw error
        }
    }

    /// Returns the connection to the pool (once).
    func giveBack() {
        finish.finish()
        returned.wait()
    }
}

/// ``OutboxStore/BounceLedger`` on PostgreSQL: the SQLite ledger's statements on the
/// tables of step v23-sqlite-parity, inside the transaction of a ``BlockingConnection``.
struct PostgresBounceLedger: BounceLedger {
    let session: BlockingConnection

    /// Rows of `query` decoded as `Row`, in order.
    private func rows<Row: Sendable>(_ query: PostgresQuery, as: Row.Type) throws -> [Row] where Row: PostgresDecodable {
        try session.run { connection, logger in
            var rows: [Row] = []
            for try await row in try await connection.query(query, logger: logger).decode(Row.self) { rows.append(row) }
            return rows
        }
    }

    private func tuples<each Column: PostgresDecodable & Sendable>(_ query: PostgresQuery, as: (repeat each Column).Type) throws
        -> [(repeat each Column)] {
        try session.run { connection, logger in
            var rows: [(repeat each Column)] = []
            for try await row in try await connection.query(query, logger: logger).decode((repeat each Column).self) { rows.append(row) }
            return rows
        }
    }

    func message(token: String, lowered: String) throws -> (id: Int64, batchID: Int64, owner: String)? {
        try tuples("SELECT id, batch_id, owner FROM message WHERE token IN (\(token), \(lowered)) LIMIT 1", as: (Int64, Int64, String).self)
            .first.map { ($0.0, $0.1, $0.2) }
    }

    func recipients(ofMessage messageID: Int64) throws -> [(id: Int64, address: String)] {
        try tuples("SELECT id, address FROM recipient WHERE message_id = \(messageID) ORDER BY id", as: (Int64, String).self).map { ($0.0, $0.1) }
    }

    func recentSend(to address: String, since: Int64) throws -> (recipientID: Int64, address: String, messageID: Int64, batchID: Int64, owner: String)? {
        try tuples("""
            SELECT r.id, r.address, m.id, m.batch_id, m.owner FROM recipient r JOIN message m ON m.id = r.message_id
            WHERE lower(r.address) = lower(\(address)) AND r.state IN ('sent', 'bounced') AND r.updated_at >= \(since)
            ORDER BY r.updated_at DESC, r.id DESC LIMIT 1
            """, as: (Int64, String, Int64, Int64, String).self).first.map { ($0.0, $0.1, $0.2, $0.3, $0.4) }
    }

    func bounce(sha256: String) throws -> (id: Int64, kind: String, messageID: Int64?, matchedBy: String?)? {
        try tuples("SELECT id, kind, message_id, matched_by FROM bounce WHERE sha256 = \(sha256)", as: (Int64, String, Int64?, String?).self)
            .first.map { ($0.0, $0.1, $0.2, $0.3) }
    }

    func insertBounce(receivedAt: Int64, source: String, sha256: String, raw: [UInt8], kind: String, format: String, subject: String?) throws -> Int64 {
        try rows("""
            INSERT INTO bounce (received_at, source, sha256, size, raw, kind, format, subject)
            VALUES (\(receivedAt), \(source), \(sha256), \(raw.count), \(Data(raw)), \(kind), \(format), \(subject)) RETURNING id
            """, as: Int64.self)[0]
    }

    func updateBounce(id: Int64, kind: String?, messageID: Int64?, matchedBy: String?, reasons: String?) throws {
        _ = try rows("""
            UPDATE bounce SET kind = COALESCE(\(kind)::text, kind), message_id = \(messageID), matched_by = \(matchedBy), reasons = \(reasons)
            WHERE id = \(id) RETURNING id
            """, as: Int64.self)
    }

    func appendEvent(at: Int64, kind: String, messageID: Int64?, batchID: Int64?, owner: String?, recipient: String?, code: Int?,
                     enhancedCode: String?, reason: String?, severity: String?, detail: String) throws -> Int64 {
        try rows("""
            INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, code, enhanced_code, reason, severity, detail)
            VALUES (\(at), \(kind), \(messageID), \(batchID), \(owner), \(recipient), \(code), \(enhancedCode), \(reason), \(severity), \(detail))
            RETURNING id
            """, as: Int64.self)[0]
    }

    func events(ids: [Int64]) throws -> [(id: Int64, kind: String, messageID: Int64?, recipient: String?)] {
        guard !ids.isEmpty else { return [] }
        return try tuples("SELECT id, kind, message_id, recipient FROM event WHERE id = ANY(\(ids)) ORDER BY id",
                          as: (Int64, String, Int64?, String?).self).map { ($0.0, $0.1, $0.2, $0.3) }
    }

    func markBounced(recipientID: Int64, code: Int?, reply: String?, reason: String, severity: String, now: Int64) throws {
        _ = try rows("""
            UPDATE recipient SET state = 'bounced', last_code = \(code), last_reply = \(reply), bounce_reason = \(reason),
                bounce_severity = \(severity), updated_at = \(now)
            WHERE id = \(recipientID) RETURNING id
            """, as: Int64.self)
    }

    /// As ``OutboxStore/SuppressionList``'s `put`: a permanent entry is never shortened.
    func suppress(address: String, reason: String, bounceReason: BounceReason?, eventID: Int64?, bounceID: Int64?, expiresAt: Int64?,
                  now: Int64) throws -> Bool {
        try !rows("""
            INSERT INTO suppression (address, reason, event_id, created_at, bounce_reason, bounce_id, expires_at)
            VALUES (\(SuppressionRecord.key(address)), \(reason), \(eventID), \(now), \(bounceReason?.rawValue), \(bounceID), \(expiresAt))
            ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, event_id = excluded.event_id,
                created_at = excluded.created_at, bounce_reason = excluded.bounce_reason, bounce_id = excluded.bounce_id,
                expires_at = excluded.expires_at
            WHERE suppression.expires_at IS NOT NULL
              AND (excluded.expires_at IS NULL OR suppression.expires_at < excluded.expires_at)
            RETURNING 1
            """, as: Int.self).isEmpty
    }

    func softBounces(address: String, reasons: Set<BounceReason>, since: Int64) throws -> Int {
        guard !reasons.isEmpty else { return 0 }
        let key = SuppressionRecord.key(address)
        return try rows("""
            SELECT COUNT(*)::bigint FROM event
            WHERE lower(recipient) = \(key) AND reason IS NOT NULL AND kind = 'bounced' AND message_id IS NOT NULL
              AND reason = ANY(\(reasons.map(\.rawValue).sorted())) AND severity = 'soft'
              AND at >= GREATEST(\(since), COALESCE((SELECT MAX(at) + 1 FROM event WHERE kind = 'suppression-removed' AND recipient = \(key)), 0))
            """, as: Int.self).first ?? 0
    }

    func countSenderProblem(owner: String, reason: String, eventID: Int64, now: Int64) throws {
        _ = try rows("""
            INSERT INTO sender_problem (owner, reason, count, first_at, last_at, last_event_id) VALUES (\(owner), \(reason), 1, \(now), \(now), \(eventID))
            ON CONFLICT (owner, reason) DO UPDATE SET count = sender_problem.count + 1, last_at = excluded.last_at,
                last_event_id = excluded.last_event_id
            RETURNING 1
            """, as: Int.self)
    }

    func unsubscribeTokenRows(_ token: String) throws -> [(address: String, owner: String, messageID: Int64)] {
        try tuples("SELECT address, owner, message_id FROM unsubscribe_token WHERE token = \(token) ORDER BY address COLLATE \"C\"",
                   as: (String, String, Int64).self).map { ($0.0, $0.1, $0.2) }
    }

    func batchID(ofMessage messageID: Int64) throws -> Int64? {
        try rows("SELECT batch_id FROM message WHERE id = \(messageID)", as: Int64.self).first
    }

    func unsubscribedAt(owner: String, address: String) throws -> Int64? {
        try rows("SELECT created_at FROM unsubscription WHERE owner = \(owner) AND address = \(address)", as: Int64.self).first
    }

    func addUnsubscription(owner: String, address: String, now: Int64, eventID: Int64, messageID: Int64, source: UnsubscribeSource) throws {
        _ = try rows("""
            INSERT INTO unsubscription (owner, address, created_at, event_id, message_id, source, bounce_id)
            VALUES (\(owner), \(address), \(now), \(eventID), \(messageID), \(source.name), \(source.bounceID)) RETURNING 1
            """, as: Int.self)
    }
}
