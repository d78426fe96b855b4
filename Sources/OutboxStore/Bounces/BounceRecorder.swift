import Foundation
import OutboxCore

/// Applies one parsed bounce inside the ingest transaction: match, events, recipient
/// states and reasons, the suppression list (by ``BounceSuppressionPolicy``) and the
/// owners' sender-problem counters.
struct BounceRecorder {
    let ledger: any BounceLedger
    let report: BounceReport
    let bounceID: Int64
    let now: Int64
    /// nil: record only, suppress nothing (`--no-suppress`).
    let policy: BounceSuppressionPolicy?
    /// Message ids the bounce's own header refers to (``ReplyReferences``).
    let references: [String]
    private var events: BounceEventWriter
    private var suppressed: [String] = []
    private var senderProblems: [String] = []

    init(ledger: any BounceLedger, report: BounceReport, references: [String], bounceID: Int64, now: Int64, policy: BounceSuppressionPolicy?) {
        self.references = references
        self.ledger = ledger
        self.report = report
        self.bounceID = bounceID
        self.now = now
        self.policy = policy
        events = BounceEventWriter(ledger: ledger, bounceID: bounceID, now: now)
    }

    mutating func record() throws -> BounceIngestResult {
        let matcher = BounceMatcher(ledger: ledger)
        let tokenMatch = try matcher.messageByToken(report, references: references)
        var firstMatch = tokenMatch
        let reportsRecipients = [.deliveryFailure, .delayWarning, .deliverySuccess].contains(report.kind) && !report.perRecipient.isEmpty
        switch reportsRecipients ? .deliveryFailure : report.kind {
        case .deliveryFailure:
            for reported in report.perRecipient {
                let matched = try recordRecipient(reported, tokenMatch: tokenMatch, matcher: matcher)
                if firstMatch == nil { firstMatch = matched }
            }
        case .complaint:
            var complainers = report.perRecipient
            if complainers.isEmpty, let tokenMatch, let only = try matcher.onlyRecipient(of: tokenMatch.id) {
                complainers = [BounceRecipient(finalRecipient: only, action: .delivered, reason: .feedback)]
            }
            if complainers.isEmpty {
                try events.append(kind: BounceEventKind.complaint.rawValue, message: tokenMatch, recipient: nil, reason: .feedback,
                                  detail: "spam complaint naming no recipient that could be recognised; nobody suppressed\(subjectSuffix)")
            }
            for reported in complainers {
                let matched = try recordComplaint(reported, tokenMatch: tokenMatch, matcher: matcher)
                if firstMatch == nil { firstMatch = matched }
            }
        case .autoReply:
            try events.append(kind: BounceEventKind.autoReply.rawValue, message: tokenMatch, recipient: nil, reason: .vacation,
                              detail: "auto-reply, not a bounce; nobody suppressed\(subjectSuffix)")
        case .notABounce:
            try events.append(kind: BounceEventKind.notABounce.rawValue, message: tokenMatch, recipient: nil,
                              detail: "not a bounce (kept for the operator)\(subjectSuffix)")
        default:
            try events.append(kind: BounceEventKind.unrecognised.rawValue, message: tokenMatch, recipient: nil,
                              detail: "looks like a bounce but names no recipient that could be recognised\(subjectSuffix)")
        }
        var reasons: [String] = []
        for entry in events.entries where entry.kind != BounceEventKind.senderProblem.rawValue {
            guard let reason = entry.reason else { continue }
            let text = reason + (entry.severity.map { "/\($0)" } ?? "")
            if !reasons.contains(text) { reasons.append(text) }
        }
        try ledger.updateBounce(id: bounceID, kind: nil, messageID: firstMatch?.id, matchedBy: firstMatch?.method.rawValue,
                                reasons: reasons.isEmpty ? nil : reasons.joined(separator: ", "))
        return BounceIngestResult(bounceID: bounceID, duplicate: false, kind: report.kind.rawValue, messageID: firstMatch?.id,
                                  matchedBy: firstMatch?.method, events: events.entries, suppressed: suppressed,
                                  senderProblems: senderProblems)
    }

    /// The message and recipient row a reported address belongs to.
    private func locate(_ reported: BounceRecipient, tokenMatch: MatchedMessage?, matcher: BounceMatcher) throws
        -> (message: MatchedMessage?, row: (id: Int64, address: String)?) {
        if let tokenMatch { return (tokenMatch, try matcher.recipient(in: tokenMatch.id, for: reported)) }
        if let recent = try matcher.recentSend(to: reported, now: now) { return (recent.message, (recent.recipientID, recent.address)) }
        return (nil, nil)
    }

    /// One reported recipient: its event, its recipient row, the suppression list.
    private mutating func recordRecipient(_ reported: BounceRecipient, tokenMatch: MatchedMessage?, matcher: BounceMatcher) throws -> MatchedMessage? {
        let (message, recipientRow) = try locate(reported, tokenMatch: tokenMatch, matcher: matcher)
        let address = recipientRow?.address ?? reported.finalRecipient
        let status = reported.status?.description
        var detail = describe(reported)
        if let message { detail += "; matched by \(message.method.rawValue)" } else { detail = "unmatched: " + detail }

        switch reported.action {
        case .failed:
            let severity = reported.severity ?? .soft
            let outcome = try consequence(of: reported, severity: severity, address: address, message: message)
            let eventID = try events.append(kind: EventKind.bounced.rawValue, message: message, recipient: address,
                                            code: reported.smtpReplyCode, enhancedCode: status, reason: reported.reason, severity: severity,
                                            detail: "\(severity.rawValue) bounce (\(reported.reason.rawValue)): \(detail); \(outcome.text)")
            if let recipientRow {
                try ledger.markBounced(recipientID: recipientRow.id, code: reported.smtpReplyCode, reply: reported.diagnosticCode,
                                       reason: reported.reason.rawValue, severity: severity.rawValue, now: now)
            }
            try apply(outcome, reported: reported, address: address, message: message, eventID: eventID)
        case .delayed:
            try events.append(kind: EventKind.delayed.rawValue, message: message, recipient: address, code: reported.smtpReplyCode,
                              enhancedCode: status, reason: reported.reason, severity: .soft, detail: "delivery delayed: " + detail)
        case .delivered, .relayed, .expanded:
            try events.append(kind: BounceEventKind.deliveryReport.rawValue, message: message, recipient: address,
                              code: reported.smtpReplyCode, enhancedCode: status, reason: .delivered,
                              detail: "\(reported.action.rawValue), not a failure: " + detail)
        }
        return message
    }

    /// One complainer of an ARF report: a `complaint` event; matched, suppressed for good.
    private mutating func recordComplaint(_ reported: BounceRecipient, tokenMatch: MatchedMessage?, matcher: BounceMatcher) throws -> MatchedMessage? {
        let (message, recipientRow) = try locate(reported, tokenMatch: tokenMatch, matcher: matcher)
        let address = recipientRow?.address ?? reported.finalRecipient
        let complaint = BounceRecipient(finalRecipient: address, action: .delivered, status: reported.status, reason: .feedback)
        let outcome: Outcome = message == nil ? .none("unmatched: not suppressed") : policy == nil ? .none("not suppressed (--no-suppress)")
            : .permanent("suppressed for good")
        let eventID = try events.append(kind: BounceEventKind.complaint.rawValue, message: message, recipient: address, reason: .feedback,
                                        detail: "spam complaint (feedback)\(subjectSuffix)\(message.map { "; matched by \($0.method.rawValue)" } ?? ""); \(outcome.text)")
        try apply(outcome, reported: complaint, address: address, message: message, eventID: eventID)
        return message
    }

    /// What a failed recipient does, decided before its event is written so the event says it.
    private enum Outcome {
        case permanent(String)
        case temporary(until: Int64, String)
        case senderProblem(owner: String, String)
        case none(String)

        var text: String {
            switch self {
            case .permanent(let text), .temporary(_, let text), .senderProblem(_, let text), .none(let text): return text
            }
        }
    }

    private func consequence(of reported: BounceRecipient, severity: BounceSeverity, address: String, message: MatchedMessage?) throws -> Outcome {
        let decision = (policy ?? .standard).decision(for: reported)
        if decision == .senderProblem, let owner = message?.owner {
            return .senderProblem(owner: owner, "a problem of the sender, counted against owner \(owner)'s profile; recipient not suppressed")
        }
        guard let policy else { return .none("not suppressed (--no-suppress)") }
        guard message != nil else { return .none("unmatched: not suppressed") }
        switch decision {
        case .permanent:
            return .permanent("address suppressed for good")
        case .countSoft:
            let count = try ledger.softBounces(address: address, reasons: policy.softReasons, since: now - policy.softWindowMilliseconds) + 1
            let days = policy.softWindowMilliseconds / 86_400_000
            guard count >= policy.softLimit else {
                return .none("soft bounce \(count) of \(policy.softLimit) within \(days) days; not suppressed")
            }
            let until = now + policy.softSuppressionMilliseconds
            return .temporary(until: until, "\(count) soft bounces within \(days) days: suppressed for \(policy.softSuppressionMilliseconds / 86_400_000) days")
        case .senderProblem, .none:
            return .none(severity == .hard ? "hard, but not a dead address; not suppressed" : "not suppressed")
        }
    }

    private mutating func apply(_ outcome: Outcome, reported: BounceRecipient, address: String, message: MatchedMessage?, eventID: Int64) throws {
        switch outcome {
        case .permanent:
            if try ledger.suppress(address: address, reason: BounceSuppressionPolicy.describe(reported), bounceReason: reported.reason,
                                   eventID: eventID, bounceID: bounceID, expiresAt: nil, now: now) {
                suppressed.append(SuppressionAddress.normalise(address))
            }
        case .temporary(let until, _):
            let reason = "repeated soft bounces: \(reported.reason.rawValue)\(reported.status.map { " \($0)" } ?? "")"
            if try ledger.suppress(address: address, reason: reason, bounceReason: reported.reason, eventID: eventID,
                                   bounceID: bounceID, expiresAt: until, now: now) {
                suppressed.append(SuppressionAddress.normalise(address))
            }
        case .senderProblem(let owner, _):
            let problemEventID = try events.append(kind: BounceEventKind.senderProblem.rawValue, message: message, recipient: address,
                              code: reported.smtpReplyCode, enhancedCode: reported.status?.description, reason: reported.reason,
                              detail: "the receiver refused the sender (\(reported.reason.rawValue)) of owner \(owner): check the profile's "
                                  + "server, IP reputation, SPF/DKIM/DMARC and volume")
            try ledger.countSenderProblem(owner: owner, reason: reported.reason.rawValue, eventID: problemEventID, now: now)
            if !senderProblems.contains(owner) { senderProblems.append(owner) }
        case .none:
            break
        }
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
