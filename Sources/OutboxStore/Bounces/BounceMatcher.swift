import Foundation
import OutboxCore

/// Finds the message and recipient a bounce reports on: VERP token, then the returned
/// message's `Message-ID` or `X-Outbox-Token`, then the address among recent sends.
struct BounceMatcher {
    /// How far back the address fallback looks (30 days).
    static let addressWindow: Int64 = 30 * 86_400_000

    let ledger: any BounceLedger

    /// The message named by a token in the bounce itself, if any; then by the Message-ID
    /// an answer refers to (`references`: `In-Reply-To`, `References`).
    func messageByToken(_ report: BounceReport, references: [String] = []) throws -> MatchedMessage? {
        for token in report.verpTokens() {
            if let found = try message(token: token, method: .verp) { return found }
        }
        if let id = report.returnedMessageID, let at = id.lastIndex(of: "@"),
           let found = try message(token: String(id[..<at]), method: .messageID) {
            return found
        }
        if let token = report.returnedHeaders["X-Outbox-Token"], let found = try message(token: token, method: .header) {
            return found
        }
        for id in references {
            if let at = id.lastIndex(of: "@"), let found = try message(token: String(id[..<at]), method: .messageID) { return found }
        }
        return nil
    }

    /// The recipient row of `message` the bounce names, else the only recipient of it.
    func recipient(in message: Int64, for reported: BounceRecipient) throws -> (id: Int64, address: String)? {
        let rows = try ledger.recipients(ofMessage: message)
        let wanted = Set([reported.finalRecipient, reported.originalRecipient].compactMap { $0?.lowercased() })
        if let row = rows.first(where: { wanted.contains($0.address.lowercased()) }) { return row }
        return rows.count == 1 ? rows[0] : nil
    }

    /// The address of `message`'s only recipient, if it has exactly one.
    func onlyRecipient(of message: Int64) throws -> String? {
        let rows = try ledger.recipients(ofMessage: message)
        return rows.count == 1 ? rows[0].address : nil
    }

    /// The most recent send to the reported address within the window before `now`.
    func recentSend(to reported: BounceRecipient, now: Int64) throws -> (message: MatchedMessage, recipientID: Int64, address: String)? {
        guard let row = try ledger.recentSend(to: reported.finalRecipient, since: now - Self.addressWindow) else { return nil }
        return (MatchedMessage(id: row.messageID, batchID: row.batchID, owner: row.owner, method: .address), row.recipientID, row.address)
    }

    private func message(token: String, method: BounceMatchMethod) throws -> MatchedMessage? {
        let trimmed = token.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 128 else { return nil }
        return try ledger.message(token: trimmed, lowered: trimmed.lowercased())
            .map { MatchedMessage(id: $0.id, batchID: $0.batchID, owner: $0.owner, method: method) }
    }
}
