import Foundation

/// Hands the delivery engine a valid access token for an owner, refreshing it through the
/// owner's stored authority when it expires within ``refreshMargin`` or after the server
/// refused it (535). Refreshes are serialised, so workers sharing a profile redeem a
/// (rotating) refresh token once, not once each.
public final class OAuthTokenProvider: Sendable {
    /// Refresh when the access token expires within this time (default 5 minutes).
    public let refreshMargin: Duration
    /// A CA file to verify authorities with, instead of the system's (tests).
    public let caFile: String?
    private let lock = NSLock()

    public init(refreshMargin: Duration = .seconds(300), caFile: String? = nil) {
        self.refreshMargin = refreshMargin
        self.caFile = caFile
    }

    /// A valid access token for `owner`, refreshed first when it expires within the margin.
    /// - Parameter now: the current time in Unix milliseconds.
    /// - Throws: ``OAuthError`` — `.reauthorisationNeeded` (hold the profile; the text says
    ///   "re-authorise with `outbox profile oauth OWNER`"), `.unavailable` (defer, retry
    ///   later), `.rejected`/`.invalidResponse`/`.invalidAuthority` (hold), `.storage`.
    public func accessToken(owner: String, store: some OAuthStateStore, now: Int64) throws(OAuthError) -> OAuthToken {
        lock.lock()
        defer { lock.unlock() }
        let state = try load(owner: owner, store: store)
        if let access = state.accessToken, let expiresAt = state.expiresAt, expiresAt - Int64(refreshMargin.milliseconds) > now {
            return access
        }
        return try refresh(owner: owner, state: state, store: store, now: now)
    }

    /// Refreshes after the server refused `rejected` (535 to XOAUTH2). When another worker
    /// already replaced that token, returns the newer one without a second refresh.
    public func forceRefresh(owner: String, rejected: OAuthToken?, store: some OAuthStateStore, now: Int64) throws(OAuthError) -> OAuthToken {
        lock.lock()
        defer { lock.unlock() }
        let state = try load(owner: owner, store: store)
        if let access = state.accessToken, let rejected, access != rejected, let expiresAt = state.expiresAt,
            expiresAt - Int64(refreshMargin.milliseconds) > now {
            return access
        }
        return try refresh(owner: owner, state: state, store: store, now: now)
    }

    private func load(owner: String, store: some OAuthStateStore) throws(OAuthError) -> OAuthState {
        let state: OAuthState?
        do {
            state = try store.oauthState(owner: owner)
        } catch {
            throw OAuthError(.storage, "reading the OAuth state of owner \(owner) failed: \(error)")
        }
        guard let state else {
            throw OAuthError.reauthorise(owner: owner, because: "owner \(owner) has no OAuth authorisation")
        }
        return state
    }

    private func refresh(owner: String, state: OAuthState, store: some OAuthStateStore, now: Int64) throws(OAuthError) -> OAuthToken {
        guard let refreshToken = state.refreshToken else {
            throw OAuthError.reauthorise(owner: owner, because: "owner \(owner) has no refresh token")
        }
        var client = try OAuthClient(authority: state.authority, clientID: state.clientID)
        client.caFile = caFile
        client.clientSecret = state.clientSecret
        let tokens: OAuthTokenSet
        do {
            tokens = try client.refresh(refreshToken, owner: owner, now: now)
        } catch where error.code == .reauthorisationNeeded {
            // Another process (a second daemon, `outbox profile oauth`) may have rotated the
            // refresh token meanwhile: use what it stored rather than give up.
            let current = try load(owner: owner, store: store)
            guard let newer = current.refreshToken, newer != refreshToken else { throw error }
            if let access = current.accessToken, let expiresAt = current.expiresAt, expiresAt - Int64(refreshMargin.milliseconds) > now {
                return access
            }
            return try refresh(owner: owner, state: current, store: store, now: now)
        }
        do {
            try store.saveOAuthTokens(owner: owner, tokens)
        } catch {
            throw OAuthError(.storage, "storing the refreshed tokens of owner \(owner) failed: \(error)")
        }
        return tokens.accessToken
    }
}
