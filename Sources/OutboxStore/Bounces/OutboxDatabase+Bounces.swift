import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Records one message that arrived at a bounce door, in one transaction: the raw
    /// bytes, then per reported recipient a `bounced` or `delayed` event carrying the
    /// recipient's ``BounceReason`` and hard/soft severity, the recipient row's state
    /// (`bounced`) and reason and, when the bounce was matched to a message, what `policy`
    /// makes of it: a suppression (for good, or for a while after repeated soft bounces)
    /// or a `sender-problem` counted against the owner. A spam complaint is a `complaint`
    /// event and suppresses the complainer. Auto-replies, success reports, ordinary mail
    /// and unrecognisable bytes get one event of their own kind (``BounceEventKind``) that
    /// refers to the raw row; nothing is dropped. The same bytes a second time change
    /// nothing (`duplicate`).
    ///
    /// - Parameters:
    ///   - source: where it came from (`pipe`, `imap://host/INBOX`, a file name), for operators.
    ///   - policy: how bounces suppress; nil records them and suppresses nothing.
    /// - Throws: ``StoreError`` `.busy` when the database stays locked past the busy
    ///   timeout, `.cannotOpenDatabase` when it is full, read-only or failing: both
    ///   temporary for a caller that can retry later.
    public func ingestBounce(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy? = .standard,
                             parser: BounceParser = BounceParser()) throws -> BounceIngestResult {
        try ingestBounce(raw: raw, report: parser.parse(raw), source: source, now: now, policy: policy)
    }

    /// ``ingestBounce(raw:source:now:policy:parser:)`` for bytes the caller has parsed already.
    public func ingestBounce(raw: [UInt8], report: BounceReport, source: String, now: Int64,
                             policy: BounceSuppressionPolicy? = .standard) throws -> BounceIngestResult {
        guard let result = try record(.init(raw: raw, source: source, report: report), now: now, policy: policy, onlyOurs: false) else {
            preconditionFailure("only the own-mailbox door leaves a message unrecorded")
        }
        return result
    }

    /// For the owner's own inbox: records the message only when it is a bounce, delay or
    /// delivery report, complaint or auto-reply that names a message Outbox sent (VERP,
    /// Message-ID, `X-Outbox-Token`, or the `In-Reply-To`/`References` of an answer — never
    /// the address alone, which the owner's personal mail shares). Returns nil, writing
    /// nothing, for every other message.
    public func ingestOwnMailboxMessage(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy? = .standard,
                                        parser: BounceParser = BounceParser()) throws -> BounceIngestResult? {
        let report = parser.parse(raw)
        guard BounceIngest.isForOwnMailbox(report) else { return nil }
        return try record(.init(raw: raw, source: source, report: report), now: now, policy: policy, onlyOurs: true)
    }

    /// Several messages (a directory of saved bounces) in one transaction: one commit, so
    /// one disk flush, for all of them. Results are in the order given; nothing is written
    /// when it throws. Each is recorded as ``ingestBounce(raw:source:now:policy:parser:)``
    /// would record it, duplicates included (also within `messages`). `envelopeRecipient`
    /// (the MTA's `${recipient}`) is where the messages were delivered to, looked at before
    /// their `Delivered-To`, `X-Original-To` and `To` for VERP and unsubscribe tokens.
    public func ingestBounces(_ messages: [(raw: [UInt8], source: String)], now: Int64, policy: BounceSuppressionPolicy? = .standard,
                              parser: BounceParser = BounceParser(), envelopeRecipient: String? = nil) throws -> [BounceIngestResult] {
        let parsed = BounceIngest.parse(messages, parser: parser, envelopeRecipient: envelopeRecipient)
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                try parsed.map { item in
                    guard let result = try BounceIngest.record(SQLiteBounceLedger(db: db), item, now: now, policy: policy, onlyOurs: false) else {
                        preconditionFailure("only the own-mailbox door leaves a message unrecorded")
                    }
                    return result
                }
            }
        }
    }

    private func record(_ item: BounceIngest.Parsed, now: Int64, policy: BounceSuppressionPolicy?, onlyOurs: Bool) throws -> BounceIngestResult? {
        try Self.mappingDatabaseErrors {
            try pool.write { db in try BounceIngest.record(SQLiteBounceLedger(db: db), item, now: now, policy: policy, onlyOurs: onlyOurs) }
        }
    }

    /// The raw bytes of a recorded bounce, or nil when there is no such row.
    public func bounceRaw(id: Int64) throws -> [UInt8]? {
        try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT raw FROM bounce WHERE id = ?", arguments: [id]).map { [UInt8]($0) }
        }
    }

    /// Turns SQLite's lock, full-disk and I/O failures into ``StoreError``s a caller can
    /// treat as temporary.
    static func mappingDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw StoreError(.busy, "the database is locked by another writer: \(error.message ?? "busy"); try again later")
            case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN:
                throw StoreError(.cannotOpenDatabase, "cannot write to the database: \(error.message ?? "\(error.resultCode)")")
            default:
                throw error
            }
        }
    }
}
