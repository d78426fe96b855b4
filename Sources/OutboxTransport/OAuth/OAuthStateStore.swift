/// Where ``OAuthTokenProvider`` reads and writes an owner's OAuth state. The store module
/// provides the columns (`OutboxDatabase.oauthColumns(owner:)`, `saveOAuthTokens`); the
/// daemon adapts them to this protocol, keeping the transport free of SQLite.
public protocol OAuthStateStore: Sendable {
    /// The owner's OAuth state, or nil when the owner has none (never authorised).
    func oauthState(owner: String) throws -> OAuthState?
    /// Stores freshly granted tokens; a nil refresh token keeps the stored one.
    func saveOAuthTokens(owner: String, _ tokens: OAuthTokenSet) throws
}
