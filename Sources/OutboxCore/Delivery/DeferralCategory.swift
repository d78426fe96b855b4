/// Why a delivery was deferred (to be retried with backoff).
public enum DeferralCategory: String, Hashable, Sendable, CaseIterable {
    /// The server answered 4xx (greeting, MAIL, RCPT, DATA or end of data).
    case temporaryReply = "temporary-reply"
    /// No answer in time: connect, reply or overall timeout.
    case timeout
    /// The TCP connection was refused or could not be made.
    case connectionRefused = "connection-refused"
    /// The connection broke (reset, closed) before the server confirmed the message.
    case connectionLost = "connection-lost"
    /// The TLS handshake failed, including a server certificate that did not verify.
    case tls
    /// The server's host name did not resolve.
    case nameResolution = "name-resolution"
    /// The server's replies did not follow the protocol.
    case protocolError = "protocol-error"
    /// Any other local or transport failure.
    case other
}
