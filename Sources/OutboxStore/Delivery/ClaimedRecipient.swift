public import OutboxCore

/// One recipient of a claimed message and where it stands.
public struct ClaimedRecipient: Hashable, Sendable {
    public let kind: RecipientKind
    public let mailbox: Mailbox
    public let state: RecipientState

    public init(kind: RecipientKind, mailbox: Mailbox, state: RecipientState) {
        self.kind = kind
        self.mailbox = mailbox
        self.state = state
    }

    /// Whether this attempt should send to the recipient (not yet accepted or refused).
    public var isOpen: Bool { state == .pending || state == .deferred }
}
