import Foundation
public import OutboxStore
public import OutboxTransport

/// Adapts either store's ``OutboxStore/OAuthTokenStore`` (the SQLite `OutboxDatabase`, or
/// the PostgreSQL outbox) to ``OAuthStateStore`` — the few lines the daemon needs too
/// (the transport module does not know the stores, the stores do not know OAuth).
public struct DatabaseOAuthStore: OAuthStateStore {
    public let database: any OAuthTokenStore
    /// Where `$CREDENTIALS_DIRECTORY` (the client secret's credential) is looked up.
    public let environment: [String: String]

    public init(database: any OAuthTokenStore, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.database = database
        self.environment = environment
    }

    public func oauthState(owner: String) throws -> OAuthState? {
        guard let columns = try database.oauthColumns(owner: owner), let url = columns.authority, let clientID = columns.clientID else {
            return nil
        }
        if let problem = columns.tokensUnavailable { throw problem }
        let authority = columns.provider == OAuthProvider.google.rawValue
            ? try OAuthAuthority(google: url) : try OAuthAuthority(url: url, tenant: columns.tenant ?? OAuthAuthority.defaultTenant)
        // The client secret lives in a systemd credential, read when it is needed (a refresh).
        let secret = try columns.clientSecretCredential.map { name in OAuthToken(try Credentials.read(name: name, environment: environment)) }
        return OAuthState(
            authority: authority, clientID: clientID, clientSecret: secret,
            refreshToken: columns.refreshToken.map(OAuthToken.init), accessToken: columns.accessToken.map(OAuthToken.init),
            expiresAt: columns.expiresAt)
    }

    public func saveOAuthTokens(owner: String, _ tokens: OAuthTokenSet) throws {
        try database.saveOAuthTokens(owner: owner, refreshToken: tokens.refreshToken?.value, accessToken: tokens.accessToken.value,
                                     expiresAt: tokens.expiresAt)
    }
}
