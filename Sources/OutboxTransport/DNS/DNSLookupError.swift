/// Why a DNS lookup gave no answer. A name without records is not an error: it is an empty
/// answer (``TXTResolver/txt(_:)``).
public struct DNSLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Sendable, Hashable {
        /// No server answered in time, or every server failed (SERVFAIL): try again later.
        case unreachable
        /// A server refused the query or the answer did not parse.
        case failed
        /// The name cannot be asked for (empty, too long, control characters).
        case invalidName = "invalid-name"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
