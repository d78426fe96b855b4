/// What a bounce says about one recipient.
public struct BounceRecipient: Hashable, Sendable {
    /// The address the reporting MTA tried (`Final-Recipient`), without the address type
    /// and angle brackets; from the text for non-standard notices.
    public var finalRecipient: String
    /// The address as the sender gave it (`Original-Recipient`), when reported.
    public var originalRecipient: String?
    /// What happened; derived from the status class when the report names no action.
    public var action: BounceAction
    /// The RFC 3463 status, from `Status` or found in the diagnostic text.
    public var status: EnhancedStatusCode?
    /// The remote server's reply or the notice's reason, e.g.
    /// `550 5.1.1 <a@example.org>: Recipient address rejected`, without the `smtp;` type.
    public var diagnosticCode: String?
    /// The three-digit SMTP reply code found at the start of the diagnostic, e.g. 550.
    public var smtpReplyCode: Int?
    /// The host that gave the diagnostic (`Remote-MTA`), without the `dns;` type.
    public var remoteMTA: String?
    /// The SMTP command the failing reply answered, where the report says: `CONN` (the
    /// greeting), `EHLO`, `HELO`, `MAIL`, `RCPT` or `DATA`. A mailbox is only read as
    /// unknown when its refusal came at `RCPT`.
    public var smtpCommand: String?
    /// The reporting MTA's own classification of the failure, where it writes one in the
    /// report (PowerMTA's `X-PowerMTA-BounceCategory`: `bad-mailbox`, `quota-issues` …).
    public var bounceCategory: String?
    /// Why the mail did not arrive; set by ``BounceReasonClassifier`` when the parser ends.
    public var reason: BounceReason

    public init(
        finalRecipient: String, originalRecipient: String? = nil, action: BounceAction,
        status: EnhancedStatusCode? = nil, diagnosticCode: String? = nil, smtpReplyCode: Int? = nil,
        remoteMTA: String? = nil, smtpCommand: String? = nil, bounceCategory: String? = nil,
        reason: BounceReason = .undefined
    ) {
        self.finalRecipient = finalRecipient
        self.originalRecipient = originalRecipient
        self.action = action
        self.status = status
        self.diagnosticCode = diagnosticCode
        self.smtpReplyCode = smtpReplyCode
        self.remoteMTA = remoteMTA
        self.smtpCommand = smtpCommand
        self.bounceCategory = bounceCategory
        self.reason = reason
    }

    /// Hard or soft for this recipient's ``reason`` and ``status``; `nil` for a non-bounce.
    public var severity: BounceSeverity? { reason.severity(status: status) }

    /// A permanent failure that justifies suppressing the address: `failed` with a 5.x.x
    /// status (or none). A `failed` 4.x.x (the sender gave up retrying, e.g. 4.4.7) is not.
    public var isHardFailure: Bool {
        action == .failed && (status?.statusClass ?? 5) == 5
    }
}
