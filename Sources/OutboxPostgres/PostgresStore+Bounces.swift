import Foundation
public import OutboxCore
public import OutboxStore
import PostgresNIO
import Synchronization

/// The bounce doors on PostgreSQL (``OutboxStore/BounceStore``): `outbox bounces ingest`,
/// `poll`, `raw` and the mailbox poller of `serve`. Recording runs the same
/// ``OutboxStore/BounceLedger`` decisions as SQLite in one transaction per call, on one
/// pooled connection, serialised across nodes by a transaction-level advisory lock (as
/// SQLite serialises its writers): the duplicate check by the bytes' SHA-256 and the
/// soft-bounce counts hold when several nodes ingest at once. Times move onto the database
/// server's clock, as the delivery engine's do.
///
/// Blocking: call it from a command's main thread or a thread of its own, never from
/// Swift's concurrency pool.
public struct PostgresBounceStore: BounceStore {
    public let store: PostgresStore
    private let toDatabaseTime: @Sendable (Int64) -> Int64

    /// The lock key of every ingest transaction ("outbox:b" in ASCII).
    static let ingestLockKey: Int64 = 0x6F75_7462_6F78_3A62

    init(store: PostgresStore, toDatabaseTime: @escaping @Sendable (Int64) -> Int64) {
        self.store = store
        self.toDatabaseTime = toDatabaseTime
    }

    /// For a command: measures this node's clock against the database server's once.
    public init(_ store: PostgresStore) throws {
        let before = OutboxDatabase.milliseconds(Date())
        let database = try waitingOnThisThread { try await store.databaseNow() }
        let after = OutboxDatabase.milliseconds(Date())
        let raw = database - (before + after) / 2
        let offset = abs(raw) < PostgresDeliveryStore.clockTolerance + (after - before) ? 0 : raw
        self.init(store: store, toDatabaseTime: { $0 + offset })
    }

    public func ingestBounces(_ messages: [(raw: [UInt8], source: String)], now: Int64, policy: BounceSuppressionPolicy? = .standard,
                              parser: BounceParser = BounceParser(), envelopeRecipient: String? = nil) throws -> [BounceIngestResult] {
        let parsed = BounceIngest.parse(messages, parser: parser, envelopeRecipient: envelopeRecipient)
        return try recording(now) { ledger, at in
            try parsed.map { item in
                guard let result = try BounceIngest.record(ledger, item, now: at, policy: policy, onlyOurs: false) else {
                    preconditionFailure("only the own-mailbox door leaves a message unrecorded")
                }
                return result
            }
        }
    }

    public func ingestBounce(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy? = .standard,
                             parser: BounceParser = BounceParser()) throws -> BounceIngestResult {
        try ingestBounces([(raw, source)], now: now, policy: policy, parser: parser, envelopeRecipient: nil)[0]
    }

    public func ingestOwnMailboxMessage(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy? = .standard,
                                        parser: BounceParser = BounceParser()) throws -> BounceIngestResult? {
        let report = parser.parse(raw)
        guard BounceIngest.isForOwnMailbox(report) else { return nil }
        let item = BounceIngest.Parsed(raw: raw, source: source, report: report)
        return try recording(now) { ledger, at in try BounceIngest.record(ledger, item, now: at, policy: policy, onlyOurs: true) }
    }

    public func bounceRaw(id: Int64) throws -> [UInt8]? {
        try waitingOnThisThread { [store] in try await store.bounceRaw(id: id) }
    }

    public func senderProblems(owner: String?) throws -> [SenderProblemRecord] {
        try waitingOnThisThread { [store] in try await store.senderProblems(owner: owner) }
    }

    public func mailboxClaim(_ mailbox: String) -> any MailboxClaim {
        PostgresMailboxClaim(store: store, mailbox: mailbox)
    }

    /// An unsubscribe request for a letter token, recorded as on SQLite (``UnsubscribeRequest``).
    func unsubscribe(token: String, source: UnsubscribeSource, now: Int64) throws -> UnsubscribeResult {
        try recording(now) { ledger, at in try UnsubscribeRequest.record(ledger, token: token, source: source, now: at) }
    }

    /// `body` with a ledger in one transaction holding the ingest lock, at `now` on the database clock.
    private func recording<T>(_ now: Int64, _ body: (PostgresBounceLedger, Int64) throws -> T) throws -> T {
        let session = try BlockingConnection.lease(store)
        defer { session.giveBack() }
        let at = toDatabaseTime(now)
        return try session.transaction {
            try session.run { connection, logger in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.ingestLockKey))", logger: logger)
            }
            return try body(PostgresBounceLedger(session: session), at)
        }
    }
}

/// One node's hold on a bounce mailbox: a session-level advisory lock on a connection kept
/// out of the pool while this node polls. Another node's `pg_try_advisory_lock` fails until
/// it is released or the session ends — the node stopped, died or lost the database — and
/// the next of the others to poll takes the mailbox over.
final class PostgresMailboxClaim: MailboxClaim {
    private let store: PostgresStore
    private let key: String
    private let session = Mutex<BlockingConnection?>(nil)

    init(store: PostgresStore, mailbox: String) {
        self.store = store
        key = "outbox:bounce-mailbox:" + mailbox
    }

    func hold() -> Bool {
        if let held = session.withLock({ $0 }) {
            // The session lock lasts as long as the session: a connection that still answers still holds it.
            if (try? held.run({ connection, logger in try await connection.query("SELECT 1", logger: logger) })) != nil { return true }
            session.withLock { $0 = nil }
            held.giveBack()
        }
        guard let candidate = try? BlockingConnection.lease(store) else { return false }
        let key = key
        let taken = (try? candidate.run { connection, logger in
            var taken = false
            for try await value in try await connection.query("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))", logger: logger)
                .decode(Bool.self) { taken = value }
            return taken
        }) ?? false
        guard taken else {
            candidate.giveBack()
            return false
        }
        session.withLock { $0 = candidate }
        return true
    }

    func release() {
        guard let held = session.withLock({ slot in defer { slot = nil }; return slot }) else { return }
        let key = key
        _ = try? held.run { connection, logger in
            try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
        }
        held.giveBack()
    }
}

extension PostgresStore {
    /// The raw bytes of a recorded bounce, or nil when there is no such row.
    public func bounceRaw(id: Int64) async throws -> [UInt8]? {
        var raw: [UInt8]?
        for try await data in try await client.query("SELECT raw FROM bounce WHERE id = \(id)", logger: logger).decode(Data.self) {
            raw = [UInt8](data)
        }
        return raw
    }

    /// Sender problems, of one owner or all, most recent first (as on SQLite).
    public func senderProblems(owner: String?) async throws -> [SenderProblemRecord] {
        var records: [SenderProblemRecord] = []
        for try await row in try await client.query("""
            SELECT owner, reason, count, first_at, last_at, last_event_id FROM sender_problem
            WHERE \(owner)::text IS NULL OR owner = \(owner) ORDER BY last_at DESC, owner COLLATE "C", reason COLLATE "C"
            """, logger: logger).decode((String, String, Int, Int64, Int64, Int64?).self) {
            records.append(SenderProblemRecord(owner: row.0, reason: row.1, count: row.2, firstAt: row.3, lastAt: row.4, lastEventID: row.5))
        }
        return records
    }
}

/// The delivery store of `serve` records the mailbox poller's bounces on the same
/// PostgreSQL outbox, on the clock its leases use.
extension PostgresDeliveryStore: BounceStore {
    private var bounces: PostgresBounceStore {
        PostgresBounceStore(store: store, toDatabaseTime: { [self] in databaseTime($0) })
    }

    public func ingestBounces(_ messages: [(raw: [UInt8], source: String)], now: Int64, policy: BounceSuppressionPolicy?, parser: BounceParser,
                              envelopeRecipient: String?) throws -> [BounceIngestResult] {
        try bounces.ingestBounces(messages, now: now, policy: policy, parser: parser, envelopeRecipient: envelopeRecipient)
    }

    public func ingestBounce(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy?, parser: BounceParser) throws -> BounceIngestResult {
        try bounces.ingestBounce(raw: raw, source: source, now: now, policy: policy, parser: parser)
    }

    public func ingestOwnMailboxMessage(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy?,
                                        parser: BounceParser) throws -> BounceIngestResult? {
        try bounces.ingestOwnMailboxMessage(raw: raw, source: source, now: now, policy: policy, parser: parser)
    }

    public func bounceRaw(id: Int64) throws -> [UInt8]? { try bounces.bounceRaw(id: id) }
    public func senderProblems(owner: String?) throws -> [SenderProblemRecord] { try bounces.senderProblems(owner: owner) }
    public func mailboxClaim(_ mailbox: String) -> any MailboxClaim { bounces.mailboxClaim(mailbox) }
}
