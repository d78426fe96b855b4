import GRDB
import OutboxCore

/// The `unsubscribe_token` table: one token per letter, standing for the letter's `to`
/// addresses (cc and bcc are copies — an accountant, an archive — and are never
/// unsubscribed by someone else's click).
package enum UnsubscribeTokens {
    /// Issues the token of letter `messageID` inside the enqueue transaction.
    static func issue(_ db: Database, for draft: MessageDraft, messageID: Int64, now: Int64) throws {
        let token = UnsubscribeToken.make(now: now)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO unsubscribe_token (token, address, owner, message_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for address in addresses(of: draft) { try insert.execute(arguments: [token, address, draft.owner, messageID]) }
    }

    /// The addresses a letter's token stands for: its `to` recipients as the unsubscription
    /// list keys them, each once, in the letter's order.
    package static func addresses(of draft: MessageDraft) -> [String] {
        var seen = Set<String>()
        return draft.recipients.filter { $0.kind == .to }.map { SuppressionAddress.normalise($0.mailbox.address) }.filter { seen.insert($0).inserted }
    }

    /// The token of letter `messageID`, if it has one.
    static func token(_ db: Database, messageID: Int64) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT token FROM unsubscribe_token WHERE message_id = ? LIMIT 1"), arguments: [messageID])
    }
}
