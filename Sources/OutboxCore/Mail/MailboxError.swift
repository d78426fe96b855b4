/// Why a string is not an acceptable email address or display name.
public struct MailboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Sendable {
        case empty, missingAt, localPartTooLong, domainTooLong, addressTooLong
        case invalidLocalPart, invalidDomain, lineBreak
        /// A domain that is not a valid internationalised domain name (IDNA 2008 / UTS #46).
        case invalidIDN
        case controlCharacterInName, nameTooLong
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
