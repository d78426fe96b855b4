/// How the transport layer (libcurl) ended an attempt, without the SMTP replies.
public struct TransportResult: Hashable, Sendable, CustomStringConvertible {
    /// The transport's verdict, independent of the library that produced it.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// The transfer finished without a transport error.
        case completed
        /// The host name did not resolve.
        case couldNotResolve = "could-not-resolve"
        /// The TCP connection was refused or could not be made.
        case couldNotConnect = "could-not-connect"
        /// A connect, reply or overall timeout expired.
        case timedOut = "timed-out"
        /// Sending or receiving failed: the connection was reset or closed, or the
        /// transfer was stopped by a negative reply (the replies tell which).
        case connectionLost = "connection-lost"
        /// The TLS handshake failed or the server certificate did not verify.
        case tlsFailed = "tls-failed"
        /// TLS is required but the server does not offer STARTTLS or refused it.
        case tlsNotOffered = "tls-not-offered"
        /// Authentication was refused or no usable mechanism was offered.
        case loginDenied = "login-denied"
        /// The server sent a reply the transport did not expect at that point.
        case unexpectedReply = "unexpected-reply"
        /// The local configuration is unusable (URL, source address, CA file, options).
        case configuration
        /// Anything else.
        case other
    }

    public let status: Status
    /// The library's own result code (libcurl's `CURLcode`), for diagnostics.
    public let code: Int
    /// The library's error text, if any (never contains credentials).
    public let message: String

    public init(status: Status, code: Int, message: String = "") {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        message.isEmpty ? "\(status.rawValue) (\(code))" : "\(status.rawValue) (\(code)): \(message)"
    }
}
