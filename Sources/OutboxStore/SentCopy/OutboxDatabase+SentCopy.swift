import GRDB
import OutboxCore

/// Where the sent-copy thread of `serve` records what became of each copy: the
/// `sent-copied` or `sent-copy-failed` event. ``OutboxDatabase`` (SQLite) and
/// `PostgresDeliveryStore` (module OutboxPostgres) record it; the copy itself is made by
/// the node that sent the message, so one node makes each copy.
public protocol SentCopyRecorder: Sendable {
    /// Records the outcome of copying sent message `messageID` into the owner's IMAP folder.
    func recordSentCopy(messageID: Int64, owner: String, copied: Bool, detail: String, now: Int64) throws
}

extension OutboxDatabase: SentCopyRecorder {}

extension OutboxDatabase {
    /// Writes the sent-copy fields of `merged` (a `saveProfile`, inside its transaction).
    static func saveSentCopyFields(_ db: Database, owner: String, _ merged: ProfileFields) throws {
        try db.execute(sql: "UPDATE profile SET sent_copy_folder = ?, sent_copy_url = ?, sent_copy_user = ? WHERE owner = ?",
                       arguments: [merged.sentCopyFolder, merged.sentCopyURL, merged.sentCopyUser, owner])
    }

    /// Records the outcome of copying sent message `messageID` into the owner's IMAP
    /// folder: `sent-copied`, or `sent-copy-failed` with the reason.
    public func recordSentCopy(messageID: Int64, owner: String, copied: Bool, detail: String, now: Int64) throws {
        try pool.write { db in
            try EventLog.append(db, kind: copied ? .sentCopied : .sentCopyFailed, at: now, messageID: messageID, owner: owner, detail: detail)
        }
    }
}
