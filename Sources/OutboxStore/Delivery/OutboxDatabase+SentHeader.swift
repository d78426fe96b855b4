import Foundation
import GRDB
public import OutboxCore

/// `v11-sent-header`: the header block and hash of each message as sent (``SentHeader``), kept
/// with the message (deleted with it) so `outbox show ID --eml` prints the exact bytes.
enum SentHeaderMigration {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE sent_header (
                message_id INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
                header BLOB NOT NULL,
                sha256 TEXT NOT NULL,
                sent_at INTEGER NOT NULL
            );
            """)
    }
}

extension OutboxDatabase {
    /// Keeps `copy` as the message's sent header (the last accepted attempt's), in the
    /// outcome's transaction.
    static func storeSentHeader(_ db: Database, messageID: Int64, _ copy: SentHeader, now: Int64) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO sent_header (message_id, header, sha256, sent_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [messageID, Data(copy.header), copy.sha256, now])
    }

    /// A message with everything composing it needs (as a claim reads it, without leasing
    /// it), its state, its owner's profile layers and its sent header if it was sent; nil
    /// when there is no such message.
    public func messageForPreview(id: Int64) throws -> (message: ClaimedMessage, state: MessageState?, profile: ProfileLayers, sent: SentHeader?)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, batch_id, owner, token, subject, text_body, html_body, headers, attempts, created_at, priority, next_attempt_at,
                    state, kind
                FROM message WHERE id = ?
                """, arguments: [id])
            else { return nil }
            var contents: [String: [UInt8]] = [:]
            let message = try Self.claimed(db, row: row, contents: &contents)
            let sent = try Row.fetchOne(db, sql: "SELECT header, sha256 FROM sent_header WHERE message_id = ?", arguments: [id]).map {
                SentHeader(header: Array($0["header"] as Data), sha256: $0["sha256"])
            }
            return (message, MessageState(rawValue: row["state"]), try Self.profileLayers(db, owner: message.owner, secrets: secrets), sent)
        }
    }
}
