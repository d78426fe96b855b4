import Foundation
import OutboxCore

/// One message at a bounce door, recorded through a ``BounceLedger`` inside the store's
/// transaction: the same decisions on every store.
package enum BounceIngest {
    /// A message parsed for recording: the report, the digest that makes a re-ingest a
    /// duplicate, and the message ids an answer refers to.
    package struct Parsed: Sendable {
        package let raw: [UInt8]
        package let source: String
        package let report: BounceReport
        package let sha256: String
        package let references: [String]

        package init(raw: [UInt8], source: String, report: BounceReport) {
            self.raw = raw
            self.source = source
            self.report = report
            sha256 = SHA256.hex(of: raw)
            references = ReplyReferences.messageIDs(in: raw)
        }
    }

    /// `messages` parsed, `envelopeRecipient` (the MTA's `${recipient}`) looked at first for tokens.
    package static func parse(_ messages: [(raw: [UInt8], source: String)], parser: BounceParser, envelopeRecipient: String?) -> [Parsed] {
        messages.map { message in
            var report = parser.parse(message.raw)
            if let envelopeRecipient, !envelopeRecipient.isEmpty { report.envelopeRecipients.insert(envelopeRecipient, at: 0) }
            return Parsed(raw: message.raw, source: message.source, report: report)
        }
    }

    /// Whether the own-mailbox door takes a message of this kind at all.
    package static func isForOwnMailbox(_ report: BounceReport) -> Bool {
        [.deliveryFailure, .delayWarning, .deliverySuccess, .complaint, .autoReply].contains(report.kind)
    }

    /// Records one message inside the ledger's transaction; nil (nothing written) when
    /// `onlyOurs` and it names no Outbox message. The same bytes again are a `duplicate`.
    package static func record(_ ledger: any BounceLedger, _ item: Parsed, now: Int64, policy: BounceSuppressionPolicy?,
                               onlyOurs: Bool) throws -> BounceIngestResult? {
        if onlyOurs, try BounceMatcher(ledger: ledger).messageByToken(item.report, references: item.references) == nil { return nil }
        if let existing = try ledger.bounce(sha256: item.sha256) {
            return BounceIngestResult(bounceID: existing.id, duplicate: true, kind: existing.kind, messageID: existing.messageID,
                                      matchedBy: existing.matchedBy.flatMap(BounceMatchMethod.init(rawValue:)),
                                      events: [], suppressed: [], senderProblems: [])
        }
        let report = item.report
        let bounceID = try ledger.insertBounce(receivedAt: now, source: item.source, sha256: item.sha256, raw: item.raw, kind: report.kind.rawValue,
                                               format: report.format.rawValue, subject: report.subject)
        let unsubscribeTokens = report.verpTokens(prefix: UnsubscribeToken.localPart)
        if !onlyOurs, !unsubscribeTokens.isEmpty {
            return try recordUnsubscribeMail(ledger, tokens: unsubscribeTokens, bounceID: bounceID, now: now)
        }
        var recorder = BounceRecorder(ledger: ledger, report: report, references: item.references, bounceID: bounceID, now: now, policy: policy)
        return try recorder.record()
    }

    /// A message to `unsubscribe+TOKEN@…` (the `mailto:` of a letter's List-Unsubscribe):
    /// the request for each distinct token (``UnsubscribeRequest/record(_:token:source:now:)``),
    /// tied to the raw row. Never a bounce: nothing else is recorded of it.
    private static func recordUnsubscribeMail(_ ledger: any BounceLedger, tokens: [String], bounceID: Int64, now: Int64) throws -> BounceIngestResult {
        var seen: Set<String> = []
        var results: [UnsubscribeResult] = []
        for token in tokens.prefix(5) where seen.insert(token.lowercased()).inserted {
            results.append(try UnsubscribeRequest.record(ledger, token: token, source: .mail(bounceID: bounceID), now: now))
        }
        let matched = results.first { $0.messageID != nil }
        try ledger.updateBounce(id: bounceID, kind: "unsubscribe", messageID: matched?.messageID,
                                matchedBy: matched.map { _ in BounceMatchMethod.unsubscribeToken.rawValue },
                                reasons: results.map(\.outcome.rawValue).joined(separator: ", "))
        var entries: [BounceIngestResult.Entry] = []
        for result in results {
            entries += try ledger.events(ids: result.eventIDs).map {
                .init(eventID: $0.id, kind: $0.kind, messageID: $0.messageID, recipient: $0.recipient, enhancedCode: nil, reason: nil, severity: nil)
            }
        }
        return BounceIngestResult(bounceID: bounceID, duplicate: false, kind: "unsubscribe", messageID: matched?.messageID,
                                  matchedBy: matched.map { _ in .unsubscribeToken }, events: entries,
                                  suppressed: [], senderProblems: [])
    }
}
