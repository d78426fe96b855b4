public import OutboxCore

/// Why an HTTP request got no response. A response with any status is not an error.
/// The text names options and hosts, never header values or bodies.
public struct HTTPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Hashable, Sendable {
        /// libcurl could not be initialised or gave no handle.
        case curlUnavailable = "curl-unavailable"
        /// The URL is malformed or uses a scheme other than https (http only to loopback).
        case invalidURL = "invalid-url"
        /// A header name or value contains CR, LF or NUL (named, never its value).
        case invalidHeader = "invalid-header"
        /// libcurl refused an option (named, never its value).
        case optionRejected = "option-rejected"
        /// The response body was longer than allowed.
        case responseTooLarge = "response-too-large"
        /// The transfer failed; ``HTTPClientError/transport`` says how.
        case transport
    }

    public let code: Code
    public let reason: String
    /// How libcurl ended the transfer, for ``Code/transport``.
    public let transport: TransportResult?

    public init(_ code: Code, _ reason: String, transport: TransportResult? = nil) {
        self.code = code
        self.reason = reason
        self.transport = transport
    }

    public var description: String { reason }
}
