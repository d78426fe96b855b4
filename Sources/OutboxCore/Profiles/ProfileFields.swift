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
    /// Open SMTP connections to this profile's server and login at most; nil: the daemon's `connections-per-profile`.
    public var maxConnections: Int?
    /// Why the stored secret could not be opened (no secrets key, or another key); `secret`
    /// is nil then. Set by the store when it reads a profile, never stored.
    public var secretUnavailable: String?
    /// IMAP folder that gets a copy of every message sent (`smtp` mode); nil: no copy.
    public var sentCopyFolder: String?
    /// `imaps://host[:port]` or `imap://…` of the copy's server; nil: imaps on 993 of the SMTP host.
    public var sentCopyURL: String?
    /// IMAP login for the copy; nil: the SMTP user name (the password is always the profile's).
    public var sentCopyUser: String?

    public init() {}

    public var description: String {
        var copy = self
        if copy.secret != nil { copy.secret = "********" }
        return "ProfileFields(mode: \(copy.mode?.rawValue ?? "-"), host: \(copy.host ?? "-"), port: \(copy.port.map(String.init) ?? "-"), "
            + "tls: \(copy.tls?.rawValue ?? "-"), username: \(copy.username ?? "-"), secret: \(copy.secret ?? "-"))"
    }
}
