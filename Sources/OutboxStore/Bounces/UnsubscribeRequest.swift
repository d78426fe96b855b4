import OutboxCore

/// One unsubscribe request for a letter token, through a ``BounceLedger`` inside the
/// store's transaction: what ``OutboxDatabase/unsubscribe(token:source:now:)``, the bounce
/// doors and the mailbox poller record on either store, in ``UnsubscribeWording``'s words.
/// (PostgreSQL's one-click door, async on the pool, has its own transaction in
/// `PostgresStore+APIUnsubscribe` with the same wording.)
package enum UnsubscribeRequest {
    /// A known token unsubscribes the addresses it stands for (the letter's `to`
    /// recipients) from that owner's letters, one `unsubscribed` event each; one already
    /// unsubscribed gets an `unsubscribe-ignored` event ("already unsubscribed") and nothing
    /// else changes; an unknown or malformed token writes an `unsubscribe-ignored` event
    /// with the reason and never throws for it, so a door keeps going.
    package static func record(_ ledger: any BounceLedger, token raw: String, source: UnsubscribeSource, now: Int64) throws -> UnsubscribeResult {
        func event(_ kind: EventKind, message: Int64?, batch: Int64?, owner: String?, recipient: String?, _ detail: String) throws -> Int64 {
            try ledger.appendEvent(at: now, kind: kind.rawValue, messageID: message, batchID: batch, owner: owner, recipient: recipient, code: nil,
                                   enhancedCode: nil, reason: nil, severity: nil, detail: detail)
        }
        let token = UnsubscribeToken.normalise(raw)
        let rows = try token.map { try ledger.unsubscribeTokenRows($0) } ?? []
        guard let first = rows.first else {
            let detail = UnsubscribeWording.unknownToken(raw, source: source)
            let id = try event(.unsubscribeIgnored, message: nil, batch: nil, owner: nil, recipient: nil, detail)
            return UnsubscribeWording.unknownResult(eventID: id, detail: detail)
        }
        let (owner, messageID) = (first.owner, first.messageID)
        let batchID = try ledger.batchID(ofMessage: messageID)
        var eventIDs: [Int64] = [], added: [String] = [], details: [String] = []
        for row in rows {
            let address = row.address
            if let since = try ledger.unsubscribedAt(owner: owner, address: address) {
                let detail = UnsubscribeWording.already(address, owner: owner, since: since, source: source)
                eventIDs.append(try event(.unsubscribeIgnored, message: messageID, batch: batchID, owner: owner, recipient: address, detail))
                details.append(detail)
                continue
            }
            let detail = UnsubscribeWording.unsubscribed(address, owner: owner, source: source)
            let id = try event(.unsubscribed, message: messageID, batch: batchID, owner: owner, recipient: address, detail)
            try ledger.addUnsubscription(owner: owner, address: address, now: now, eventID: id, messageID: messageID, source: source)
            eventIDs.append(id)
            added.append(address)
            details.append(detail)
        }
        return UnsubscribeWording.result(owner: owner, messageID: messageID, addresses: rows.map(\.address), added: added, eventIDs: eventIDs,
                                         details: details)
    }
}
