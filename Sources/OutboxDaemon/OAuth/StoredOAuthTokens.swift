import OutboxStore
public import OutboxTransport

/// Access tokens from the OAuth state stored on profiles, refreshed through one shared
/// ``OAuthTokenProvider``. An owner without OAuth state of its own uses the company
/// (global) profile's, as with every other profile field.
public struct StoredOAuthTokens: AccessTokenSource {
    private let store: DatabaseOAuthStore
    private let provider: OAuthTokenProvider

    public init(database: OutboxDatabase, provider: OAuthTokenProvider = OAuthTokenProvider()) {
        store = DatabaseOAuthStore(database: database)
        self.provider = provider
    }

    public func accessToken(owner: String, now: Int64) throws -> String {
        try provider.accessToken(owner: try stateOwner(owner), store: store, now: now).value
    }

    public func refreshAfterRejection(owner: String, rejected: String, now: Int64) throws -> String {
        try provider.forceRefresh(owner: try stateOwner(owner), rejected: OAuthToken(rejected), store: store, now: now).value
    }

    /// The owner whose row holds the OAuth state: the owner's own, else the global profile's.
    private func stateOwner(_ owner: String) throws -> String {
        if try store.oauthState(owner: owner) == nil,
            let global = try store.database.setting(OutboxDatabase.globalProfileSetting), try store.oauthState(owner: global) != nil
        {
            return global
        }
        return owner
    }
}
