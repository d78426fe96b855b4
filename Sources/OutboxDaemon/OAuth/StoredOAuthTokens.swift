import OutboxCore
public import OutboxStore
public import OutboxTransport

/// Access tokens from the OAuth state stored on profiles, refreshed through one shared
/// ``OAuthTokenProvider``. An owner without OAuth state of its own uses the company
/// (global) profile's, as with every other profile field.
///
/// On a store shared by several hosts (PostgreSQL) a refresh runs under the store's
/// per-owner lock (``OutboxStore/OAuthTokenStore/whileRefreshing(owner:_:)``): one node
/// redeems the refresh token, and the others find the tokens it stored.
public struct StoredOAuthTokens: AccessTokenSource {
    private let store: DatabaseOAuthStore
    private let provider: OAuthTokenProvider

    public init(database: any OAuthTokenStore, provider: OAuthTokenProvider = OAuthTokenProvider()) {
        store = DatabaseOAuthStore(database: database)
        self.provider = provider
    }

    public func accessToken(owner: String, now: Int64) throws -> String {
        let owner = try stateOwner(owner)
        if store.database.refreshesAcrossHosts, try !isFresh(owner: owner, now: now) {
            return try store.database.whileRefreshing(owner: owner) { try provider.accessToken(owner: owner, store: store, now: now).value }
        }
        return try provider.accessToken(owner: owner, store: store, now: now).value
    }

    public func refreshAfterRejection(owner: String, rejected: String, now: Int64) throws -> String {
        let owner = try stateOwner(owner)
        return try store.database.whileRefreshing(owner: owner) {
            try provider.forceRefresh(owner: owner, rejected: OAuthToken(rejected), store: store, now: now).value
        }
    }

    /// Whether the stored access token is used as it is (the provider's own test, at the same `now`).
    private func isFresh(owner: String, now: Int64) throws -> Bool {
        guard let state = try store.oauthState(owner: owner), state.accessToken != nil, let expiresAt = state.expiresAt else { return false }
        return expiresAt - RetryPolicy.milliseconds(provider.refreshMargin) > now
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
