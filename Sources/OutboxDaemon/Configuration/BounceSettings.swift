import OutboxCore
public import OutboxStore

/// `[bounces]`: where delivery status notifications come back, the mailbox to poll for
/// them, and how bounces suppress addresses.
public struct BounceSettings: Sendable, Equatable {
    /// What the poller does with the mailbox (`mailbox-mode`).
    public enum MailboxMode: String, Sendable, Equatable {
        /// A mailbox only for bounces: every message is recorded, then deleted (or moved).
        case bounceMailbox = "bounce-mailbox"
        /// The owner's own inbox (smtp/m365-oauth modes send with the owner's envelope
        /// sender): only bounces, complaints and auto-replies about mail Outbox sent are
        /// recorded and moved to ``BounceSettings/mailboxFolder``; every other message is
        /// left untouched and unread.
        case ownMailbox = "own-mailbox"
    }

    /// Domain of the VERP envelope senders (`domain`); nil: no VERP.
    public var domain: String?
    /// `imap[s]://host[:port]/MAILBOX` or `pop3[s]://host[:port]` (`mailbox-url`); nil: no polling.
    public var mailboxURL: String?
    public var mailboxUser: String?
    /// File name in `$CREDENTIALS_DIRECTORY` holding the mailbox password.
    public var mailboxPasswordCredential: String?
    /// `mailbox-auth`: `password` (default) or `oauth:OWNER` (XOAUTH2 with that owner's tokens).
    public var mailboxAuth = BounceMailboxAuth.password
    /// How often the mailbox is polled (`poll-interval`, default 5m).
    public var pollInterval: Duration = .seconds(5 * 60)
    /// `mailbox-mode`, default `bounce-mailbox`.
    public var mailboxMode: MailboxMode = .bounceMailbox
    /// `mailbox-folder`: where `own-mailbox` moves what it recorded (default `Outbox-Bounces`,
    /// created when missing).
    public var mailboxFolder = "Outbox-Bounces"
    /// `soft-bounce-limit`, `soft-bounce-window`, `soft-bounce-suppress-for`, `soft-bounce-reasons`.
    public var policy = BounceSuppressionPolicy.standard
    /// `unsubscribe-url`: the public https base of the one-click unsubscribe endpoint
    /// (e.g. `https://mail.example.ee/u/`); letters then also carry `<BASE/TOKEN>` and
    /// `List-Unsubscribe-Post` (RFC 8058). nil: the `mailto:` address only.
    public var unsubscribeURL: String?

    public init() {}

    /// An `unsubscribe-url` value: https (RFC 8058 one-click needs it), a host, and no
    /// query, fragment or characters that would break the header; the token is appended.
    static func unsubscribeURL(_ text: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> String {
        let url = try parse.token(text)
        let rest = url.lowercased().hasPrefix("https://") ? url.dropFirst(8) : nil
        guard let rest, let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
              !url.contains(where: { "?#<>,\"\\ ".contains($0) || $0.isWhitespace || !$0.isASCII || $0.asciiValue! < 0x21 }) else {
            throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line, reason:
                "\(parse.name): '\(url)' is not an https base URL like https://mail.example.ee/u/ (RFC 8058 one-click needs https; "
                + "no query or fragment: the token is appended)")
        }
        return url
    }

    /// The `[bounces]` keys besides the mailbox connection, for the schema and `config show`.
    static let policyKeys = ["mailbox-auth", "mailbox-mode", "mailbox-folder", "soft-bounce-limit", "soft-bounce-window", "soft-bounce-suppress-for",
                             "soft-bounce-reasons"]

    /// Values of ``policyKeys``, in order, as the file would spell them.
    var policyValues: [String] {
        [mailboxAuth.description, mailboxMode.rawValue, mailboxFolder, String(policy.softLimit),
         OutboxConfiguration.durationText(.milliseconds(policy.softWindowMilliseconds)),
         OutboxConfiguration.durationText(.milliseconds(policy.softSuppressionMilliseconds)),
         policy.softReasons.map(\.rawValue).sorted().joined(separator: ", ")]
    }

    /// Applies one of the keys this type owns; false when `key` is not one of them.
    mutating func set(_ key: String, _ value: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> Bool {
        switch key {
        case "mailbox-auth":
            guard let auth = BounceMailboxAuth(value) else {
                throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line,
                                         reason: "\(parse.name): '\(value)' is not password or oauth:OWNER (the owner whose OAuth sign-in reads the mailbox)")
            }
            mailboxAuth = auth
        case "mailbox-mode":
            guard let mode = MailboxMode(rawValue: value) else {
                throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line,
                                         reason: "\(parse.name): '\(value)' is not bounce-mailbox or own-mailbox")
            }
            mailboxMode = mode
        case "mailbox-folder":
            let folder = try parse.token(value)
            guard !folder.contains("\""), !folder.contains("\\") else {
                throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line, reason: "\(parse.name): no quotes or backslashes")
            }
            mailboxFolder = folder
        case "soft-bounce-limit": policy.softLimit = try parse.integer(value, in: 1...1000)
        case "soft-bounce-window": policy.softWindowMilliseconds = OutboxConfiguration.milliseconds(try parse.duration(value))
        case "soft-bounce-suppress-for": policy.softSuppressionMilliseconds = OutboxConfiguration.milliseconds(try parse.duration(value))
        case "soft-bounce-reasons":
            var reasons: Set<BounceReason> = []
            for word in value.split(whereSeparator: { $0 == "," || $0 == " " }) where !word.isEmpty {
                guard let reason = BounceReason(rawValue: String(word)), reason.severity(status: nil) != nil, !reason.isSenderProblem,
                      !reason.isDeadAddress || reason == .notaccept else {
                    throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line, reason:
                        "\(parse.name): '\(word)' is not a soft bounce reason of the address (e.g. mailboxfull, suspend, notaccept)")
                }
                reasons.insert(reason)
            }
            policy.softReasons = reasons
        default:
            return false
        }
        return true
    }
}
