public import OutboxCore

/// The result of posting one message: the HTTP status (nil when no response came), the
/// service's `Retry-After`, and a ``DeliveryReport`` the delivery engine records like an
/// SMTP attempt.
///
/// The report's replies are SMTP-equivalent so the engine's rules apply unchanged: 2xx →
/// `.sent` with a 250 reply, 401/407 → `.profileProblem(.authenticationRejected)` with 535,
/// 408/429/5xx → `.deferred(.temporaryReply)` with 451, other statuses → `.failed` with 554;
/// each reply's text starts with the real status, e.g. `HTTP 503: busy`. No response at all
/// (timeout, refused, reset, TLS) → `.deferred` with the matching category.
public struct HTTPMailResult: Hashable, Sendable {
    public let httpStatus: Int?
    /// The service asked to wait this long before retrying (429/503 `Retry-After: N`).
    public let retryAfter: Duration?
    public let report: DeliveryReport

    public init(httpStatus: Int?, retryAfter: Duration?, report: DeliveryReport) {
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.report = report
    }

    /// The verdict (shortcut for `report.outcome`).
    public var outcome: DeliveryOutcome { report.outcome }
}
