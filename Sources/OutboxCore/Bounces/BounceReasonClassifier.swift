/// Names the ``BounceReason`` of each recipient of a parsed report.
///
/// Skeleton: the enhanced status code alone. The full classifier reads the SMTP reply,
/// the diagnostic wording (provider-specific) and the reporting MTA's format as well.
enum BounceReasonClassifier {
    /// The reason for `recipient` in `report`.
    static func reason(for recipient: BounceRecipient, in report: BounceReport) -> BounceReason {
        if report.kind == .complaint { return .feedback }
        switch recipient.action {
        case .delivered, .relayed, .expanded: return .delivered
        case .failed, .delayed: break
        }
        guard let status = recipient.status else { return .undefined }
        switch (status.subject, status.detail) {
        case (1, 1), (1, 0): return .userunknown
        case (1, 2): return .hostunknown
        case (1, 6): return .hasmoved
        case (2, 2): return .mailboxfull
        case (3, 4): return .mesgtoobig
        case (4, 7): return .expired
        case (7, 1): return .blocked
        default: return .undefined
        }
    }
}
