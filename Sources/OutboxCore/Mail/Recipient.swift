/// Where a recipient appears: `to` and `cc` are visible headers, `bcc` is envelope-only.
public enum RecipientKind: String, Sendable, Codable, CaseIterable {
    case to, cc, bcc
}

/// One recipient of a message.
public struct Recipient: Hashable, Sendable {
    public let kind: RecipientKind
    public let mailbox: Mailbox

    public init(kind: RecipientKind, mailbox: Mailbox) {
        self.kind = kind
        self.mailbox = mailbox
    }
}
