import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore

/// The messages a dry run keeps, rendered as delivery would send them now
/// (``MessagePreview/wouldBeSent(_:profile:keyring:configuration:now:)``, the path of
/// `show --eml`), and the summary printed.
struct DryRunRendering {
    /// One message as it would be sent; `placeholderReason` says why a placeholder sender
    /// was used instead of the owner's (no database, no profile, no DKIM key), nil when not.
    struct Rendered: Encodable {
        let location: String
        let message: String
        let placeholderReason: String?
    }

    let outbox: OutboxDatabase?
    let databasePath: String
    let config: String?

    func render(_ kept: [BatchRehearsal.Kept]) throws -> [Rendered] {
        guard !kept.isEmpty else { return [] }
        let configuration = try SystemRelay.routing(config: config, withSecret: false)
        let now = Date()
        let keyring = outbox.map { DKIMKeyring(database: $0) }
        return try kept.enumerated().map { index, message in
            let claimed = Self.claimed(message, token: Self.token(now: now, index: index))
            var reason = "there is no outbox at \(databasePath), so no profile or DKIM key"
            if let outbox, let keyring {
                let layers = try Failure.guarding { try outbox.profileLayers(owner: claimed.owner) }
                do {
                    let bytes = try MessagePreview.wouldBeSent(claimed, profile: ProfileLayers(own: layers.own, global: layers.global),
                                                               keyring: keyring, configuration: configuration, now: now)
                    return Rendered(location: message.location, message: String(decoding: bytes, as: UTF8.self), placeholderReason: nil)
                } catch let problem as MessagePreview.Problem {
                    reason = problem.reason
                }
            }
            let messageID = (try? MessageID.make(token: claimed.token, domain: "outbox.invalid")) ?? claimed.token
            let bytes = try MessagePreview.contentOnly(claimed, messageID: messageID, now: now)
            return Rendered(location: message.location, message: String(decoding: bytes, as: UTF8.self), placeholderReason: reason)
        }
    }

    /// A kept draft as delivery claims a stored message: every recipient still open.
    static func claimed(_ kept: BatchRehearsal.Kept, token: String) -> ClaimedMessage {
        let draft = kept.draft
        return ClaimedMessage(
            id: 0, batchID: 0, owner: draft.owner, token: token, subject: draft.subject, textBody: draft.textBody,
            htmlBody: draft.htmlBody, headers: draft.headers,
            recipients: draft.recipients.map { ClaimedRecipient(kind: $0.kind, mailbox: $0.mailbox, state: .pending) },
            attachments: kept.attachments, attempts: 0, createdAt: OutboxDatabase.milliseconds(Date()))
    }

    /// A token shaped like the enqueue's (time, sequence, 64 bits), its random part zero:
    /// the Message-ID has the length it will have, though not its value.
    static func token(now: Date, index: Int) -> String {
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text.suffix(digits)
        }
        return hex(UInt64(OutboxDatabase.milliseconds(now)), 11) + hex(UInt64(index + 1), 7) + hex(0, 16)
    }

    static func print(_ summary: BatchRehearsal.Summary, source: String, rendered: [Rendered], json: Bool) {
        if json {
            struct Report: Encodable {
                let dryRun = true
                let summary: BatchRehearsal.Summary
                let rendered: [Rendered]
            }
            try? Formatting.printJSON(Report(summary: summary, rendered: rendered))
            return
        }
        var line = "dry run of \(source): \(summary.messages) message(s) to \(summary.recipients) recipient(s) would be enqueued"
        if summary.duplicates > 0 { line += ", \(summary.duplicates) already in the outbox (same key) skipped" }
        if summary.contents > 0 { line += "; \(summary.contents) attachment/image content(s), \(summary.contentBytes) bytes" }
        if let batch = summary.knownBatchID { line += "; but the batch key is already enqueued as batch \(batch): enqueue would change nothing" }
        Swift.print(line + "; nothing was written")
        for (index, message) in rendered.enumerated() {
            if let reason = message.placeholderReason {
                Terminal.notice("\(message.location): shown with a placeholder sender and unsigned: \(reason)")
            }
            Swift.print("\n----- message \(index + 1): \(message.location), as it would be sent (Date, Message-ID and DKIM t= are set when sent) -----")
            Swift.print(message.message, terminator: "")
        }
    }
}
