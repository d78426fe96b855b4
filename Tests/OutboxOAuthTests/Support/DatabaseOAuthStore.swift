import OutboxStore
import OutboxTransport

/// Adapts `OutboxDatabase` to ``OAuthStateStore`` — the few lines the daemon needs too
/// (the transport module does not know SQLite, the store does not know OAuth).
struct DatabaseOAuthStore: OAuthStateStore {
    let database: OutboxDatabase

    func oauthState(owner: String) throws -> OAuthState? {
        guard let columns = try database.oauthColumns(owner: owner), let url = columns.authority, let clientID = columns.clientID else {
            return nil
        }
        return OAuthState(
            authority: try OAuthAuthority(url: url, tenant: columns.tenant ?? OAuthAuthority.defaultTenant), clientID: clientID,
            refreshToken: columns.refreshToken.map(OAuthToken.init), accessToken: columns.accessToken.map(OAuthToken.init),
            expiresAt: columns.expiresAt)
    }

    func saveOAuthTokens(owner: String, _ tokens: OAuthTokenSet) throws {
        try database.saveOAuthTokens(owner: owner, refreshToken: tokens.refreshToken?.value, accessToken: tokens.accessToken.value,
                                     expiresAt: tokens.expiresAt)
    }
}
