/// Where a resolved field's value came from.
public enum FieldOrigin: String, Sendable, Codable {
    case owner, global, system
    case `default`
    /// A provider's published limit, from ``ProfilePreset/limits`` (the profile's host is the provider's).
    case preset
    /// From only: the owner's own login (see ``ProfileResolver``).
    case login = "owner-login"
}

/// The effective sending configuration of one owner at send time, with the origin of
/// every field. Made by ``ProfileResolver``.
public struct ResolvedProfile: Sendable, Hashable, CustomStringConvertible {
    public let owner: String
    /// Settable so delivery can send one message of a `system` profile in `reply-to` mode (DMARC-aware routing).
    public var mode: SenderMode
    public let host: String?
    public let port: Int?
    public let tls: TLSMode
    /// Nil or empty: no authentication.
    public let username: String?
    public let secret: String?
    public let fromAddress: String?
    public let fromName: String?
    public let replyTo: String?
    public let archiveBcc: String?
    public let verifyTLS: Bool
    public let caFile: String?
    public let bindAddress: String?
    public let url: String?
    public let perMinute: Int?
    public let perHour: Int?
    public let perDay: Int?
    /// Envelope recipients per rolling 24 hours at most (Microsoft 365 counts recipients, not messages).
    public var recipientsPerDay: Int?
    /// Open SMTP connections to this profile's server and login at most; nil: the daemon's `connections-per-profile`.
    public let maxConnections: Int?
    /// Whether an owner's own login may become the From (``ProfileFields/fromLogin``, default on).
    public let fromLogin: Bool
    /// Field name (as in ``ProfileFields``) → where its value came from.
    public var origins: [String: FieldOrigin]

    /// Whether the profile authenticates (a non-empty user name).
    public var authenticates: Bool { !(username ?? "").isEmpty }

    public var description: String {
        "ResolvedProfile(owner: \(owner), mode: \(mode.rawValue), host: \(host ?? "-"), port: \(port.map(String.init) ?? "-"), "
            + "tls: \(tls.rawValue), username: \(username ?? "-"), secret: \(secret == nil ? "-" : "********"))"
    }

    public init(
        owner: String, mode: SenderMode, host: String?, port: Int?, tls: TLSMode, username: String?, secret: String?,
        fromAddress: String?, fromName: String?, replyTo: String?, archiveBcc: String?, verifyTLS: Bool, caFile: String?,
        bindAddress: String?, url: String?, perMinute: Int?, perHour: Int?, perDay: Int?, origins: [String: FieldOrigin],
        maxConnections: Int? = nil, fromLogin: Bool = true
    ) {
        self.owner = owner
        self.mode = mode
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
        self.secret = secret
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.replyTo = replyTo
        self.archiveBcc = archiveBcc
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.bindAddress = bindAddress
        self.url = url
        self.perMinute = perMinute
        self.perHour = perHour
        self.perDay = perDay
        self.maxConnections = maxConnections
        self.fromLogin = fromLogin
        self.origins = origins
    }
}
