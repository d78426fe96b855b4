/// Which recogniser understood a message: the standard report or one of the non-standard
/// notices real servers send.
public enum BounceFormat: String, Hashable, Sendable, CaseIterable {
    /// RFC 3464 `multipart/report; report-type=delivery-status` (or RFC 6533 global).
    case rfc3464
    case qmail, exim, postfix, exchange, yahoo, groupwise
    /// A plain-text "could not be delivered" notice in no known layout.
    case genericText
    /// Recognised by its headers and subject (auto-replies, out-of-office notices).
    case autoReplyHeaders
    /// Nothing recognised.
    case none
}
