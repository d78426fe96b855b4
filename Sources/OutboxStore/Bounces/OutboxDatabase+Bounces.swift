import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Records one message that arrived at a bounce door, in one transaction: the raw
    /// bytes, then per reported recipient a `bounced` (hard or final) or `delayed` event,
    /// the recipient's state (`bounced` on a hard failure) and, when the bounce was matched
    /// to a message, the address on the suppression list. Auto-replies, success reports,
    /// ordinary mail and unrecognisable bytes get one event of their own kind
    /// (``BounceEventKind``) that refers to the raw row; nothing is dropped. The same
    /// bytes a second time change nothing (`duplicate`).
    ///
    /// - Parameters:
    ///   - source: where it came from (`pipe`, `imap://host/INBOX`, a file name), for operators.
    ///   - suppressHardBounces: put hard-bounced, matched addresses on the suppression list.
    /// - Throws: ``StoreError`` `.busy` when the database stays locked past the busy
    ///   timeout, `.cannotOpenDatabase` when it is full, read-only or failing: both
    ///   temporary for a caller that can retry later.
    public func ingestBounce(raw: [UInt8], source: String, now: Int64, suppressHardBounces: Bool = true,
                             parser: BounceParser = BounceParser()) throws -> BounceIngestResult {
        let report = parser.parse(raw)
        let sha = SHA256.hex(of: raw)
        return try Self.mappingDatabaseErrors {
            try pool.write { db in
                if let existing = try Row.fetchOne(db, sql: "SELECT id, kind, message_id, matched_by FROM bounce WHERE sha256 = ?", arguments: [sha]) {
                    return BounceIngestResult(bounceID: existing["id"], duplicate: true, kind: existing["kind"], messageID: existing["message_id"],
                                              matchedBy: (existing["matched_by"] as String?).flatMap(BounceMatchMethod.init(rawValue:)),
                                              events: [], suppressed: [])
                }
                try db.execute(sql: """
                    INSERT INTO bounce (received_at, source, sha256, size, raw, kind, format, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [now, source, sha, raw.count, Data(raw), report.kind.rawValue, report.format.rawValue, report.subject])
                var recorder = BounceRecorder(db: db, report: report, bounceID: db.lastInsertedRowID, now: now, suppress: suppressHardBounces)
                return try recorder.record()
            }
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
