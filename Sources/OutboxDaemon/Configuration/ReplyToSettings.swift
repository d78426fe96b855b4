/// `[reply-to]`: reply-to mode sends `From: <company-address>@<event-domain>` through the relay,
/// with the user's address as `Reply-To:`; bounces return to the event domain.
public struct ReplyToSettings: Sendable, Equatable {
    /// The company's local part (or whole address) on the event domain (`company-address`).
    public var companyAddress: String
    /// The domain whose mailbox receives bounces (`event-domain`).
    public var eventDomain: String

    public init(companyAddress: String, eventDomain: String) {
        self.companyAddress = companyAddress
        self.eventDomain = eventDomain
    }
}
