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
        guard let result = try record(raw: raw, report: report, source: source, now: now, policy: policy, onlyOurs: false) else {
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
        guard [.deliveryFailure, .delayWarning, .deliverySuccess, .complaint, .autoReply].contains(report.kind) else { return nil }
        return try record(raw: raw, report: report, source: source, now: now, policy: policy, onlyOurs: true)
    }

    /// Several messages (a directory of saved bounces) in one transaction: one commit, so
    /// one disk flush, for all of them. Results are in the order given; nothing is written
    /// when it throws. Each is recorded as ``ingestBounce(raw:source:now:policy:parser:)``
    /// would record it, duplicates included (also within `messages`). `envelopeRecipient`
    /// (the MTA's `${recipient}`) is where the messages were delivered to, looked at before
    /// their `Delivered-To`, `X-Original-To` and `To` for VERP and unsubscribe tokens.
    public func ingestBounces(_ messages: [(raw: [UInt8], source: String)], now: Int64, policy: BounceSuppressionPolicy? = .standard,
                              parser: BounceParser = BounceParser(), envelopeRecipient: String? = nil) throws -> [BounceIngestResult] {
        let parsed = messages.map { message in
            var report = parser.parse(message.raw)
            if let envelopeRecipient, !envelopeRecipient.isEmpty { report.envelopeRecipients.insert(envelopeRecipient, at: 0) }
            return (raw: message.raw, source: message.source, report: report, sha: SHA256.hex(of: message.raw),
                    references: ReplyReferences.messageIDs(in: message.raw))
        }
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                var results: [BounceIngestResult] = []
                for item in parsed {
                    guard let result = try Self.record(db, raw: item.raw, sha: item.sha, report: item.report, references: item.references,
                                                       source: item.source, now: now, policy: policy, onlyOurs: false) else {
                        preconditionFailure("only the own-mailbox door leaves a message unrecorded")
                    }
                    results.append(result)
                }
                return results
            }
        }
    }

    private func record(raw: [UInt8], report: BounceReport, source: String, now: Int64, policy: BounceSuppressionPolicy?,
                        onlyOurs: Bool) throws -> BounceIngestResult? {
        let sha = SHA256.hex(of: raw)
        let references = ReplyReferences.messageIDs(in: raw)
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                try Self.record(db, raw: raw, sha: sha, report: report, references: references, source: source, now: now, policy: policy,
                                onlyOurs: onlyOurs)
            }
        }
    }

    /// Records one message inside the caller's transaction; nil (nothing written) when
    /// `onlyOurs` and it names no Outbox message.
    private static func record(_ db: Database, raw: [UInt8], sha: String, report: BounceReport, references: [String], source: String,
                               now: Int64, policy: BounceSuppressionPolicy?, onlyOurs: Bool) throws -> BounceIngestResult? {
        if onlyOurs, try BounceMatcher(db: db).messageByToken(report, references: references) == nil { return nil }
        if let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, kind, message_id, matched_by FROM bounce WHERE sha256 = ?"),
                                           arguments: [sha]) {
            return BounceIngestResult(bounceID: existing["id"], duplicate: true, kind: existing["kind"], messageID: existing["message_id"],
                                      matchedBy: (existing["matched_by"] as String?).flatMap(BounceMatchMethod.init(rawValue:)),
                                      events: [], suppressed: [], senderProblems: [])
        }
        try db.cachedStatement(sql: """
            INSERT INTO bounce (received_at, source, sha256, size, raw, kind, format, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [now, source, sha, raw.count, Data(raw), report.kind.rawValue, report.format.rawValue, report.subject])
        let bounceID = db.lastInsertedRowID
        let unsubscribeTokens = report.verpTokens(prefix: UnsubscribeToken.localPart)
        if !onlyOurs, !unsubscribeTokens.isEmpty {
            return try recordUnsubscribeMail(db, tokens: unsubscribeTokens, bounceID: bounceID, now: now)
        }
        var recorder = BounceRecorder(db: db, report: report, references: references, bounceID: bounceID, now: now, policy: policy)
        return try recorder.record()
    }

    /// A message to `unsubscribe+TOKEN@…` (the `mailto:` of a letter's List-Unsubscribe):
    /// the request for each distinct token (``recordUnsubscribe(_:token:source:now:)``),
    /// tied to the raw row. Never a bounce: nothing else is recorded of it.
    private static func recordUnsubscribeMail(_ db: Database, tokens: [String], bounceID: Int64, now: Int64) throws -> BounceIngestResult {
        var seen: Set<String> = []
        var results: [UnsubscribeResult] = []
        for token in tokens.prefix(5) where seen.insert(token.lowercased()).inserted {
            results.append(try recordUnsubscribe(db, token: token, source: .mail(bounceID: bounceID), now: now))
        }
        let matched = results.first { $0.messageID != nil }
        try db.execute(sql: "UPDATE bounce SET kind = 'unsubscribe', message_id = ?, matched_by = ?, reasons = ? WHERE id = ?",
                       arguments: [matched?.messageID, matched.map { _ in BounceMatchMethod.unsubscribeToken.rawValue },
                                   results.map(\.outcome.rawValue).joined(separator: ", "), bounceID])
        var entries: [BounceIngestResult.Entry] = []
        for result in results {
            let kinds = try Row.fetchAll(db, sql: "SELECT id, kind, message_id, recipient FROM event WHERE id IN (\(result.eventIDs.map(String.init).joined(separator: ",")))")
            entries += kinds.map { .init(eventID: $0["id"], kind: $0["kind"], messageID: $0["message_id"], recipient: $0["recipient"],
                                         enhancedCode: nil, reason: nil, severity: nil) }
        }
        return BounceIngestResult(bounceID: bounceID, duplicate: false, kind: "unsubscribe", messageID: matched?.messageID,
                                  matchedBy: matched.map { _ in .unsubscribeToken }, events: entries,
                                  suppressed: [], senderProblems: [])
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
