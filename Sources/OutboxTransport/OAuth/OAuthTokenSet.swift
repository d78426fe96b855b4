/// What the token endpoint granted: an access token, its expiry, and a refresh token when
/// the server issued (or rotated) one. Tokens are redacted in every description.
public struct OAuthTokenSet: Sendable, Hashable, CustomStringConvertible {
    public let accessToken: OAuthToken
    /// A new refresh token; nil when the server kept the old one valid.
    public let refreshToken: OAuthToken?
    /// When the access token expires (Unix milliseconds).
    public let expiresAt: Int64

    public init(accessToken: OAuthToken, refreshToken: OAuthToken?, expiresAt: Int64) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
    }

    public var description: String {
        "OAuthTokenSet(access: <redacted>, refresh: \(refreshToken == nil ? "none" : "<redacted>"), expiresAt: \(expiresAt))"
    }
}
