/// How the `[bounces]` mailbox is logged in to (`mailbox-auth`): with the password in
/// `mailbox-password-credential` (the default), or with XOAUTH2 and the OAuth tokens stored
/// on an owner's profile (`oauth:OWNER`, signed in with `outbox profile oauth OWNER`) —
/// Microsoft 365 no longer takes passwords over IMAP or POP3.
public enum BounceMailboxAuth: Sendable, Hashable, CustomStringConvertible {
    case password
    case oauth(owner: String)

    /// Parses `password` or `oauth:OWNER`; nil for anything else.
    public init?(_ text: String) {
        if text == "password" { self = .password; return }
        guard text.hasPrefix("oauth:") else { return nil }
        let owner = String(text.dropFirst(6))
        guard !owner.isEmpty, !owner.contains(where: { $0.isWhitespace || $0.isNewline || $0 == ":" }) else { return nil }
        self = .oauth(owner: owner)
    }

    /// The owner whose tokens log in, or nil for a password.
    public var oauthOwner: String? { if case .oauth(let owner) = self { owner } else { nil } }

    /// As the configuration file spells it.
    public var description: String { oauthOwner.map { "oauth:\($0)" } ?? "password" }
}
