/// The OAuth state kept on an owner's profile: where to refresh (authority, tenant,
/// client id) and the current tokens. Tokens are redacted in every description.
public struct OAuthState: Sendable, Hashable, CustomStringConvertible {
    public var authority: OAuthAuthority
    public var clientID: String
    /// The client secret (read from its credential when the state is loaded), if the client has one.
    public var clientSecret: OAuthToken?
    public var refreshToken: OAuthToken?
    public var accessToken: OAuthToken?
    /// When ``accessToken`` expires (Unix milliseconds).
    public var expiresAt: Int64?

    public init(authority: OAuthAuthority, clientID: String, refreshToken: OAuthToken?, accessToken: OAuthToken?, expiresAt: Int64?) {
        self.authority = authority
        self.clientID = clientID
        self.refreshToken = refreshToken
        self.accessToken = accessToken
        self.expiresAt = expiresAt
    }

    public init(authority: OAuthAuthority, clientID: String, clientSecret: OAuthToken?, refreshToken: OAuthToken?, accessToken: OAuthToken?,
                expiresAt: Int64?) {
        self.init(authority: authority, clientID: clientID, refreshToken: refreshToken, accessToken: accessToken, expiresAt: expiresAt)
        self.clientSecret = clientSecret
    }

    public var description: String {
        "OAuthState(\(authority), client: \(clientID), clientSecret: \(clientSecret == nil ? "none" : "<redacted>"), refresh: \(refreshToken == nil ? "none" : "<redacted>"), "
            + "access: \(accessToken == nil ? "none" : "<redacted>"), expiresAt: \(expiresAt.map(String.init) ?? "-"))"
    }
}
