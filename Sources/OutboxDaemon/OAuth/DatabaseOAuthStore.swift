public import OutboxStore
public import OutboxTransport

/// Adapts `OutboxDatabase` to ``OAuthStateStore`` — the few lines the daemon needs too
/// (the transport module does not know SQLite, the store does not know OAuth).
public struct DatabaseOAuthStore: OAuthStateStore {
    public let database: OutboxDatabase

    public init(database: OutboxDatabase) {
        self.database = database
    }

    public func oauthState(owner: String) throws -> OAuthState? {
        guard let columns = try database.oauthColumns(owner: owner), let url = columns.authority, let clientID = columns.clientID else {
            return nil
        }
        if let problem = columns.tokensUnavailable { throw problem }
        return OAuthState(
            authority: try OAuthAuthority(url: url, tenant: columns.tenant ?? OAuthAuthority.defaultTenant), clientID: clientID,
            refreshToken: columns.refreshToken.map(OAuthToken.init), accessToken: columns.accessToken.map(OAuthToken.init),
            expiresAt: columns.expiresAt)
    }

    public func saveOAuthTokens(owner: String, _ tokens: OAuthTokenSet) throws {
        try database.saveOAuthTokens(owner: owner, refreshToken: tokens.refreshToken?.value, accessToken: tokens.accessToken.value,
                                     expiresAt: tokens.expiresAt)
    }
}
