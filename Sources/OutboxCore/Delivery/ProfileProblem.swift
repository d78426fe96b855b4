/// A failure that belongs to the SMTP profile, not to the message: every message sent
/// with the same profile would meet it, so the daemon holds the profile's queue instead of
/// spending each message's retries.
public enum ProfileProblem: String, Hashable, Sendable, CaseIterable {
    /// The server rejected the credentials (535, 534, 538 or another 5xx to AUTH).
    case authenticationRejected = "authentication-rejected"
    /// The server could not authenticate just now (454 to AUTH).
    case authenticationUnavailable = "authentication-unavailable"
    /// The server requires authentication (530) and the profile has none, or it failed.
    case authenticationRequired = "authentication-required"
    /// AUTH never completed: the server kept answering 334 or stopped answering during it
    /// (Microsoft 365 does this when Authenticated SMTP is disabled for the mailbox).
    case authenticationIncomplete = "authentication-incomplete"
    /// The server offers no mechanism the profile can use (e.g. no XOAUTH2).
    case noUsableMechanism = "no-usable-mechanism"
    /// TLS is required by the profile but the server does not offer or refuses STARTTLS.
    case tlsNotOffered = "tls-not-offered"
    /// The server refused the session itself (5xx greeting, EHLO/HELO).
    case sessionRefused = "session-refused"
    /// The profile cannot work as configured (bad host, source address or CA file).
    case configuration
}
