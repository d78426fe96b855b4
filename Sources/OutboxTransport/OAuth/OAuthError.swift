/// Why an OAuth step failed, with a code callers match and text that says what to do.
/// Never contains a token.
public struct OAuthError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Hashable, Sendable {
        /// The authority URL or tenant cannot be used (plain http to a non-loopback host…).
        case invalidAuthority = "invalid-authority"
        /// No client id was given or stored.
        case missingClientID = "missing-client-id"
        /// The refresh token is missing, revoked or expired: a person must sign in again
        /// with `outbox profile oauth OWNER`. Hold the profile.
        case reauthorisationNeeded = "reauthorisation-needed"
        /// The user declined the sign-in (`access_denied`).
        case accessDenied = "access-denied"
        /// The device code expired before the user signed in (`expired_token`).
        case expiredToken = "expired-token"
        /// The redirect's `state` is not the one this sign-in sent (RFC 6749 §10.12): a
        /// stale or forged redirect; its code is not redeemed.
        case stateMismatch = "state-mismatch"
        /// The sign-in did not come back (redirect or pasted URL) within the allowed time.
        case signInTimedOut = "sign-in-timed-out"
        /// The server refused the request for a lasting reason (`invalid_client`,
        /// `invalid_scope`, `unauthorized_client`, a 4xx without a known error).
        case rejected
        /// The server could not be reached or failed for now (connection, timeout, 5xx,
        /// `temporarily_unavailable`): try again later.
        case unavailable
        /// The server's answer did not follow RFC 6749/8628.
        case invalidResponse = "invalid-response"
        /// Reading or writing the stored state failed.
        case storage
    }

    public let code: Code
    public let reason: String
    /// The `error` field the server sent, if any (e.g. `invalid_grant`).
    public let serverError: String?

    public init(_ code: Code, _ reason: String, serverError: String? = nil) {
        self.code = code
        self.reason = reason
        self.serverError = serverError
    }

    /// The failure goes away by itself (retry later) rather than needing a person.
    public var isTemporary: Bool { code == .unavailable }

    /// The error for an owner whose refresh no longer works.
    static func reauthorise(owner: String, because cause: String, serverError: String? = nil) -> OAuthError {
        OAuthError(.reauthorisationNeeded, "\(cause); re-authorise with `outbox profile oauth \(owner)`", serverError: serverError)
    }

    public var description: String { reason }
}
