/// Spam complaints: RFC 5965 Abuse Reporting Format (`multipart/report;
/// report-type=feedback-report` with a `message/feedback-report` part) and the
/// non-standard feedback loops that send the complained-about message in a
/// `multipart/mixed` (Hotmail's JMRP from `staff@hotmail.com`, Amazon SES from
/// `complaints@email-abuse.amazonses.com`, subject `complaint about message from …`).
///
/// Where the complaining recipient is found, in order: `Original-Rcpt-To` and
/// `Removal-Recipient` of the report, Hotmail's `X-HmXmrOriginalRecipient` in the
/// returned message, else every address in the returned message's `To`. A complaint's
/// recipients are `delivered` (the mail arrived; the recipient objected to it).
/// Detection and field names follow Sisimai::ARF (Sisimai, BSD-2-Clause).
struct BounceFeedbackReport {
    /// `Feedback-Type` (`abuse`, `fraud`, `auth-failure`, …), lower-cased; `abuse` when the
    /// report names none (the non-standard loops only report complaints).
    private(set) var feedbackType = "abuse"
    private(set) var userAgent: String?
    private(set) var reportingMTA: String?
    private(set) var sourceIP: String?
    private(set) var recipients: [String] = []

    /// Feedback types that are a person's complaint about the mail; `auth-failure`
    /// (DMARC/SPF/DKIM forensic reports), `not-spam` and `virus` are not.
    static let complaintTypes: Set<String> = ["abuse", "fraud", "other", "opt-out", "unsubscribe"]

    static let nonStandardSenders = ["staff@hotmail.com", "complaints@email-abuse.amazonses.com"]

    /// Whether the message is a feedback report at all.
    static func isFeedbackReport(top: BouncePart, parts: [BouncePart], subject: String) -> Bool {
        if top.contentType.mediaType == "multipart/report",
            top.contentType.parameters["report-type"]?.lowercased() == "feedback-report"
        {
            return true
        }
        if parts.contains(where: { $0.contentType.mediaType == "message/feedback-report" }) { return true }
        guard top.contentType.mediaType == "multipart/mixed" else { return false }
        let from = (top.headers.value("from") ?? "").lowercased()
        return nonStandardSenders.contains(where: { from.contains($0) })
            && BounceBytes.contains("complaint about message from ", in: subject)
    }

    var isComplaint: Bool { Self.complaintTypes.contains(feedbackType) }

    init(parts: [BouncePart], bytes: ArraySlice<UInt8>, returned: BounceHeaderBlock?, limits: BounceLimits) {
        var seen: Set<String> = []
        func add(_ value: String) {
            for address in BounceAddressScanner.addresses(in: Array(value.utf8)[...], limit: 20)
            where recipients.count < limits.maxRecipients && seen.insert(address.lowercased()).inserted {
                recipients.append(address)
            }
        }
        if let report = parts.first(where: { $0.contentType.mediaType == "message/feedback-report" }) {
            let fields = BounceHeaderBlock(report.decodedBody(in: bytes)[...], limits: limits)
            if let type = fields.value("feedback-type")?.lowercased().split(separator: " ").first {
                feedbackType = String(type)
            }
            userAgent = fields.value("user-agent")
            reportingMTA = fields.value("reporting-mta").map(BounceDeliveryStatusReader.typed)
            sourceIP = fields.value("source-ip")
            for name in ["original-rcpt-to", "removal-recipient"] {
                fields.values(name).prefix(limits.maxRecipients).forEach(add)
            }
        }
        if recipients.isEmpty, let returned {
            returned.values("x-hmxmroriginalrecipient").prefix(20).forEach(add)
            if recipients.isEmpty { returned.values("to").prefix(20).forEach(add) }
        }
    }

    /// One `delivered` recipient per complaining address, the diagnostic naming the report.
    func perRecipient() -> [BounceRecipient] {
        var words = ["spam complaint (feedback-type \(feedbackType))"]
        if let userAgent { words.append("from \(userAgent.prefix(100))") }
        if let sourceIP { words.append("about mail from \(sourceIP.prefix(60))") }
        let diagnostic = words.joined(separator: " ")
        return recipients.map {
            BounceRecipient(finalRecipient: $0, action: .delivered, diagnosticCode: diagnostic, remoteMTA: reportingMTA)
        }
    }
}
