import GRDB
import OutboxCore

/// Applies one parsed bounce inside the ingest transaction: match, events, recipient
/// states, suppression list.
struct BounceRecorder {
    let db: Database
    let report: BounceReport
    let bounceID: Int64
    let now: Int64
    let suppress: Bool
    private var events: BounceEventWriter
    private var suppressed: [String] = []

    init(db: Database, report: BounceReport, bounceID: Int64, now: Int64, suppress: Bool) {
        self.db = db
        self.report = report
        self.bounceID = bounceID
        self.now = now
        self.suppress = suppress
        events = BounceEventWriter(db: db, bounceID: bounceID, now: now)
    }

    mutating func record() throws -> BounceIngestResult {
        let matcher = BounceMatcher(db: db)
        let tokenMatch = try matcher.messageByToken(report)
        var firstMatch = tokenMatch
        let reportsRecipients = [.deliveryFailure, .delayWarning, .deliverySuccess].contains(report.kind) && !report.perRecipient.isEmpty
        switch reportsRecipients ? .deliveryFailure : report.kind {
        case .deliveryFailure:
            for reported in report.perRecipient {
                let matched = try recordRecipient(reported, tokenMatch: tokenMatch, matcher: matcher)
                if firstMatch == nil { firstMatch = matched }
            }
        case .autoReply:
            try events.append(kind: BounceEventKind.autoReply.rawValue, message: tokenMatch, recipient: nil,
                              detail: "auto-reply, not a bounce; nobody suppressed\(subjectSuffix)")
        case .notABounce:
            try events.append(kind: BounceEventKind.notABounce.rawValue, message: tokenMatch, recipient: nil,
                              detail: "not a bounce (kept for the operator)\(subjectSuffix)")
        default:
            try events.append(kind: BounceEventKind.unrecognised.rawValue, message: tokenMatch, recipient: nil,
                              detail: "looks like a bounce but names no recipient that could be recognised\(subjectSuffix)")
        }
        try db.execute(sql: "UPDATE bounce SET message_id = ?, matched_by = ? WHERE id = ?",
                       arguments: [firstMatch?.id, firstMatch?.method.rawValue, bounceID])
        return BounceIngestResult(bounceID: bounceID, duplicate: false, kind: report.kind.rawValue, messageID: firstMatch?.id,
                                  matchedBy: firstMatch?.method, events: events.entries, suppressed: suppressed)
    }

    /// One reported recipient: its event, its recipient row, the suppression list.
    private mutating func recordRecipient(_ reported: BounceRecipient, tokenMatch: MatchedMessage?, matcher: BounceMatcher) throws -> MatchedMessage? {
        var message = tokenMatch
        var recipientRow: (id: Int64, address: String)?
        if let tokenMatch {
            recipientRow = try matcher.recipient(in: tokenMatch.id, for: reported)
        } else if let recent = try matcher.recentSend(to: reported, now: now) {
            message = recent.message
            recipientRow = (recent.recipientID, recent.address)
        }
        let address = recipientRow?.address ?? reported.finalRecipient
        let status = reported.status?.description
        var detail = describe(reported)
        if let message { detail += "; matched by \(message.method.rawValue)" } else { detail = "unmatched: " + detail }

        switch reported.action {
        case .failed:
            let hard = reported.isHardFailure
            let eventID = try events.append(kind: EventKind.bounced.rawValue, message: message, recipient: address,
                                            code: reported.smtpReplyCode, enhancedCode: status,
                                            detail: (hard ? "hard bounce: " : "final soft failure (not suppressed): ") + detail)
            if hard, let recipientRow {
                try db.execute(sql: "UPDATE recipient SET state = 'bounced', last_code = ?, last_reply = ?, updated_at = ? WHERE id = ?",
                               arguments: [reported.smtpReplyCode, reported.diagnosticCode, now, recipientRow.id])
            }
            if hard, suppress, message != nil {
                try db.execute(sql: """
                    INSERT INTO suppression (address, reason, event_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(address) DO NOTHING
                    """, arguments: [SuppressionAddress.normalise(address), "hard bounce \(status ?? "")".trimmingTrailingSpace, eventID, now])
                if db.changesCount > 0 { suppressed.append(SuppressionAddress.normalise(address)) }
            }
        case .delayed:
            try events.append(kind: EventKind.delayed.rawValue, message: message, recipient: address,
                              code: reported.smtpReplyCode, enhancedCode: status, detail: "delivery delayed: " + detail)
        case .delivered, .relayed, .expanded:
            try events.append(kind: BounceEventKind.deliveryReport.rawValue, message: message, recipient: address,
                              code: reported.smtpReplyCode, enhancedCode: status, detail: "\(reported.action.rawValue): " + detail)
        }
        return message
    }

    private func describe(_ reported: BounceRecipient) -> String {
        var parts: [String] = []
        parts.append(reported.diagnosticCode.map { String($0.prefix(500)) } ?? "no diagnostic")
        if let mta = reported.remoteMTA { parts.append("remote MTA \(mta)") }
        if reported.originalRecipient != nil, reported.originalRecipient?.lowercased() != reported.finalRecipient.lowercased() {
            parts.append("final recipient \(reported.finalRecipient)")
        }
        return parts.joined(separator: "; ")
    }

    private var subjectSuffix: String {
        report.subject.map { ": \"\(String($0.prefix(200)))\"" } ?? ""
    }
}

private extension String {
    var trimmingTrailingSpace: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
