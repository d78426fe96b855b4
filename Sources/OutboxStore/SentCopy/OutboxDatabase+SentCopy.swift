import GRDB
import OutboxCore

extension OutboxDatabase {
    /// The sent-copy fields of a `saveProfile` (inside its transaction): a field set in
    /// `fields` replaces the stored one, a name in `clear` (`sent-copy`, `sent-copy-url`,
    /// `sent-copy-user`) resets it to inherited.
    static func saveSentCopyFields(_ db: Database, owner: String, fields: ProfileFields, clear: Set<String>) throws {
        let columns: [(String, String, String?)] = [
            ("sent_copy_folder", "sent-copy", fields.sentCopyFolder), ("sent_copy_url", "sent-copy-url", fields.sentCopyURL),
            ("sent_copy_user", "sent-copy-user", fields.sentCopyUser),
        ]
        for (column, name, value) in columns where value != nil || clear.contains(name) {
            try db.execute(sql: "UPDATE profile SET \(column) = ? WHERE owner = ?", arguments: [clear.contains(name) ? nil : value, owner])
        }
    }

    /// Records the outcome of copying sent message `messageID` into the owner's IMAP
    /// folder: `sent-copied`, or `sent-copy-failed` with the reason.
    public func recordSentCopy(messageID: Int64, owner: String, copied: Bool, detail: String, now: Int64) throws {
        try pool.write { db in
            try EventLog.append(db, kind: copied ? .sentCopied : .sentCopyFailed, at: now, messageID: messageID, owner: owner, detail: detail)
        }
    }
}
