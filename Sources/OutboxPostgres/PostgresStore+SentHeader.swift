import Foundation
public import OutboxCore
public import OutboxStore
import PostgresNIO

extension PostgresStore {
    /// A message with everything composing it needs (read as a claim reads it, without
    /// leasing it), its state, its owner's profile layers and its header as sent if it was
    /// sent (`show --eml`); nil when there is no such message. As
    /// ``OutboxStore/OutboxDatabase/messageForPreview(id:)``, in one snapshot.
    public func messageForPreview(id: Int64) async throws -> (message: ClaimedMessage, state: MessageState?, profile: ProfileLayers, sent: SentHeader?)? {
        let logger = logger
        return try await transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var found: (batchID: Int64, owner: String, token: String, subject: String, text: String?, html: String?, headers: String?, attempts: Int,
                        createdAt: Int64, kind: String, state: String)?
            for try await row in try await connection.query("""
                SELECT batch_id, owner, token, subject, text_body, html_body, headers, attempts, created_at, kind, state FROM message WHERE id = \(id)
                """, logger: logger).decode((Int64, String, String, String, String?, String?, String?, Int, Int64, String, String).self) { found = row }
            guard let found else { return nil }
            let recipients = try await Self.recipients(connection, logger: logger, of: [id])
            let attachments = try await Self.attachments(connection, logger: logger, of: [id])
            var sent: SentHeader?
            for try await (header, sha256) in try await connection.query(
                "SELECT header, sha256 FROM sent_header WHERE message_id = \(id)", logger: logger).decode((Data, String).self) {
                sent = SentHeader(header: Array(header), sha256: sha256)
            }
            let message = ClaimedMessage(
                id: id, batchID: found.batchID, owner: found.owner, token: found.token, subject: found.subject, textBody: found.text, htmlBody: found.html,
                headers: HeaderCoding.decode(found.headers).compactMap { try? HeaderField(name: $0.name, value: $0.value) },
                recipients: recipients[id] ?? [], attachments: attachments[id] ?? [], attempts: found.attempts, createdAt: found.createdAt,
                kind: MessageKind(rawValue: found.kind) ?? .transactional)
            let profile = try await PostgresProfiles.layers(connection, logger: logger, owner: found.owner)
            return (message, MessageState(rawValue: found.state), profile, sent)
        }
    }
}
