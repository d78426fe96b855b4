/// Which recogniser understood a message: the standard report or one of the non-standard
/// notices real servers send.
public enum BounceFormat: String, Hashable, Sendable, CaseIterable {
    /// RFC 3464 `multipart/report; report-type=delivery-status` (or RFC 6533 global).
    case rfc3464
    case qmail, exim, postfix, exchange, yahoo, groupwise
    /// Sendmail's transcript lines (`550 5.1.1 <a@b>... User unknown`) without a report.
    case sendmail
    /// An RFC 5965 ARF feedback report or a non-standard feedback loop (Hotmail, SES).
    case feedbackReport
    /// An Amazon SES notification in JSON (bounce, complaint or delivery).
    case amazonSESNotification
    /// A notice whose failed recipients are only in its `X-Failed-Recipients` header.
    case failedRecipientsHeader
    /// A notice that names no recipient: the single address the returned message was
    /// sent to.
    case returnedMessage
    /// A plain-text "could not be delivered" notice in no known layout.
    case genericText
    /// Recognised by its headers and subject (auto-replies, out-of-office notices).
    case autoReplyHeaders
    /// Nothing recognised.
    case none
}
