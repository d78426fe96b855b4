/// Why a session could not be set up or a message could not be handed to it. Problems
/// met while talking to the server are not errors: they are ``DeliveryReport`` outcomes.
public struct SMTPSessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Hashable, Sendable {
        /// libcurl could not be initialised or gave no handle.
        case curlUnavailable = "curl-unavailable"
        /// Host, port or EHLO name cannot be used.
        case invalidEndpoint = "invalid-endpoint"
        /// libcurl refused an option (names the option, never its value).
        case optionRejected = "option-rejected"
        /// An envelope without recipients.
        case noRecipients = "no-recipients"
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
