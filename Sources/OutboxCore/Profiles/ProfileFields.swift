/// One layer of sending configuration: an owner's own profile, the company (global)
/// profile, or the system relay. Every field is optional; resolution fills gaps from
/// the next layer. The secret (password or OAuth token) never appears in descriptions.
public struct ProfileFields: Sendable, Hashable, Codable, CustomStringConvertible {
    public var mode: SenderMode?
    public var host: String?
    public var port: Int?
    public var tls: TLSMode?
    /// Empty string means: do not authenticate.
    public var username: String?
    public var secret: String?
    public var fromAddress: String?
    public var fromName: String?
    public var replyTo: String?
    public var archiveBcc: String?
    public var verifyTLS: Bool?
    public var caFile: String?
    public var bindAddress: String?
    /// HTTP mode: the endpoint; maildir mode: the directory.
    public var url: String?
    public var perMinute: Int?
    public var perHour: Int?
    public var perDay: Int?
    /// Recipients (every envelope recipient counts) per rolling 24 hours at most.
    public var recipientsPerDay: Int?
    /// Open SMTP connections to this profile's server and login at most; nil: the daemon's `connections-per-profile`.
    public var maxConnections: Int?
    /// Own-server modes: an owner who logs in as themselves (an address) and has no From of
    /// their own sends as that login. Nil: inherited (default on).
    public var fromLogin: Bool?
    /// Why the secret cannot be used (a sealed secret this process cannot open, or a
    /// `--password-credential` it cannot read); `secret` is nil then. Set when a profile is
    /// read, never stored.
    public var secretUnavailable: UnavailableSecret?
    /// The systemd credential holding the secret (`--password-credential`): a name, never
    /// the secret; the daemon reads it into `secret` at send time.
    public var secretCredential: String?
    /// IMAP folder that gets a copy of every message sent (`smtp` mode); nil: no copy.
    public var sentCopyFolder: String?
    /// `imaps://host[:port]` or `imap://…` of the copy's server; nil: imaps on 993 of the SMTP host.
    public var sentCopyURL: String?
    /// IMAP login for the copy; nil: the SMTP user name (the password is always the profile's).
    public var sentCopyUser: String?

    public init() {}

    /// The names `outbox profile set --clear` takes, one per field (the secret's is `secret`).
    public static let fieldNames: Set<String> = [
        "mode", "host", "port", "tls", "username", "secret", "from", "from-name", "reply-to", "archive-bcc", "verify-tls",
        "ca-file", "bind-address", "url", "per-minute", "per-hour", "per-day", "recipients-per-day", "max-connections", "from-login",
        "sent-copy", "sent-copy-url", "sent-copy-user",
    ]

    /// These fields with `changes` over them: a field set in `changes` replaces this one's,
    /// and a field named in `clearing` (see ``fieldNames``) goes back to inherited.
    public func applying(_ changes: ProfileFields, clearing: Set<String>) -> ProfileFields {
        var merged = self
        func take<T>(_ path: WritableKeyPath<ProfileFields, T?>, _ name: String) {
            if let value = changes[keyPath: path] { merged[keyPath: path] = value }
            if clearing.contains(name) { merged[keyPath: path] = nil }
        }
        take(\.mode, "mode"); take(\.host, "host"); take(\.port, "port"); take(\.tls, "tls")
        take(\.username, "username"); take(\.secret, "secret"); take(\.fromAddress, "from"); take(\.fromName, "from-name")
        take(\.replyTo, "reply-to"); take(\.archiveBcc, "archive-bcc"); take(\.verifyTLS, "verify-tls"); take(\.caFile, "ca-file")
        take(\.bindAddress, "bind-address"); take(\.url, "url"); take(\.perMinute, "per-minute"); take(\.perHour, "per-hour")
        take(\.perDay, "per-day"); take(\.recipientsPerDay, "recipients-per-day"); take(\.maxConnections, "max-connections"); take(\.fromLogin, "from-login")
        take(\.sentCopyFolder, "sent-copy"); take(\.sentCopyURL, "sent-copy-url"); take(\.sentCopyUser, "sent-copy-user")
        // The user name and password travel together: clearing the user clears the password.
        if clearing.contains("username") { merged.secret = nil }
        return merged
    }

    public var description: String {
        var copy = self
        if copy.secret != nil { copy.secret = "********" }
        return "ProfileFields(mode: \(copy.mode?.rawValue ?? "-"), host: \(copy.host ?? "-"), port: \(copy.port.map(String.init) ?? "-"), "
            + "tls: \(copy.tls?.rawValue ?? "-"), username: \(copy.username ?? "-"), secret: \(copy.secret ?? "-"))"
    }
}
