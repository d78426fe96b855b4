/// `[bounces]`: where delivery status notifications come back, and the mailbox to poll for them.
public struct BounceSettings: Sendable, Equatable {
    /// Domain of the VERP envelope senders (`domain`); nil: no VERP.
    public var domain: String?
    /// `imap[s]://host[:port]/MAILBOX` or `pop3[s]://host[:port]` (`mailbox-url`); nil: no polling.
    public var mailboxURL: String?
    public var mailboxUser: String?
    /// File name in `$CREDENTIALS_DIRECTORY` holding the mailbox password.
    public var mailboxPasswordCredential: String?
    /// How often the mailbox is polled (`poll-interval`, default 5m).
    public var pollInterval: Duration = .seconds(5 * 60)

    public init() {}
}
