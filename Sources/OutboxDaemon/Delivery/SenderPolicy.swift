public import OutboxCore

/// Company-wide sender rules from the configuration: the identity of `reply-to` mode and
/// the VERP bounce addresses.
public struct SenderPolicy: Sendable, Hashable {
    /// `reply-to` mode's From address: the company on the event domain (`[reply-to]`).
    public var replyToFrom: Mailbox?
    /// Domain of VERP envelope senders, `bounces+TOKEN@domain` (`[bounces] domain`; for
    /// `reply-to` mode the event domain when unset). Used for the modes that send through
    /// the system relay: own servers (Gmail, Microsoft 365) keep the owner's envelope.
    public var bounceDomain: String?

    public init(replyToFrom: Mailbox? = nil, bounceDomain: String? = nil) {
        self.replyToFrom = replyToFrom
        self.bounceDomain = bounceDomain
    }

    /// The local part before `+TOKEN` in VERP addresses.
    public static let bounceLocalPart = "bounces"

    /// The envelope sender for a message of `mode` with `token`, or nil to use the From address.
    public func verpSender(mode: SenderMode, token: String) -> Mailbox? {
        let domain: String?
        switch mode {
        case .replyTo: domain = bounceDomain ?? replyToFrom.map { String($0.address.split(separator: "@").last ?? "") }
        case .system: domain = bounceDomain
        case .smtp, .m365OAuth, .http, .maildir: domain = nil
        }
        guard let domain, !domain.isEmpty else { return nil }
        return try? Mailbox(address: "\(Self.bounceLocalPart)+\(token)@\(domain)")
    }
}
