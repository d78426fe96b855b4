public import OutboxCore

/// Why a bounce mailbox could not be read or cleaned up. The text names the host,
/// mailbox and message, never the password or any protocol line sent.
public struct MailboxError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The URL is not `imap[s]://host[:port][/MAILBOX]` or `pop3[s]://host[:port]`, or carries credentials.
        case invalidURL = "invalid-url"
        /// libcurl could not be initialised or refused an option (named, never its value).
        case curl
        /// Listing, fetching, deleting or moving failed; ``MailboxError/transport`` says how.
        case transport
        /// A message is larger than the limit; it stays in the mailbox.
        case messageTooLarge = "message-too-large"
        /// The caller could not record a message; it stays in the mailbox.
        case notRecorded = "not-recorded"
        /// XOAUTH2: no access token could be had, or refreshing a refused one failed (a
        /// revoked sign-in: re-authorise with `outbox profile oauth OWNER`).
        case oauth
        /// XOAUTH2: the server refused the login even with a freshly refreshed access token.
        case loginDenied = "login-denied"
    }

    public let code: Code
    public let reason: String
    public let transport: TransportResult?

    public init(_ code: Code, _ reason: String, transport: TransportResult? = nil) {
        self.code = code
        self.reason = reason
        self.transport = transport
    }

    public var description: String { reason }
}
