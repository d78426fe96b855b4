/// A refused piece of batch input: where it is, which field, and why.
///
/// `location` is human text such as `message 3 (line 4)` or `line 12`; `field` is a path
/// such as `to[1]` or `attachments[0].path`.
public struct IntakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Sendable {
        case syntax, unknownField, wrongType, missingField, invalidAddress, headerInjection
        case invalidHeader, invalidValue, noRecipients, noBody, tooLarge, tooManyRecipients
        case duplicateKey, attachmentMissing, attachmentUnreadable, attachmentNotRegularFile
        case invalidBase64, template, attachmentOutsideRoots, noMessages, unreadableInput, ownerNotAllowed
        /// An inline image and the HTML's `cid:` references do not match.
        case inlineImage
    }

    public let code: Code
    public var location: String
    public let field: String?
    public let reason: String

    public init(_ code: Code, location: String, field: String?, _ reason: String) {
        self.code = code
        self.location = location
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var text = location
        if let field { text += ", field '\(field)'" }
        return text + ": " + reason
    }
}
