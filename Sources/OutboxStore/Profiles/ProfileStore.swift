import OutboxCore

/// Where OAuth tokens are read and stored for sending: the few operations
/// ``OutboxDaemon``'s token source needs, on either store. Synchronous: the delivery
/// engine's threads call it (a PostgreSQL store bridges to its async client).
public protocol OAuthTokenStore: Sendable {
    /// The owner's OAuth columns (tokens opened), or nil when the owner has no profile row.
    func oauthColumns(owner: String) throws -> OutboxDatabase.OAuthColumns?
    /// Stores refreshed tokens; a nil refresh token keeps the stored one (`.notFound` without a profile).
    func saveOAuthTokens(owner: String, refreshToken: String?, accessToken: String, expiresAt: Int64) throws
    /// A company-wide setting (`global-profile`), or nil.
    func setting(_ name: String) throws -> String?
    /// Whether several processes on several hosts share these tokens, so a refresh must
    /// be serialised by ``whileRefreshing(owner:_:)`` rather than by the process alone.
    var refreshesAcrossHosts: Bool { get }
    /// Runs `refresh` while no other process refreshes `owner`'s tokens; one that waited
    /// then reads the tokens the other stored instead of redeeming a rotated refresh token.
    func whileRefreshing<T>(owner: String, _ refresh: () throws -> T) throws -> T
}

/// The profile, setting and secrets operations of the `outbox profile`, `settings` and
/// `secrets` commands, as one seam with two implementations: ``OutboxDatabase`` (SQLite)
/// and `PostgresProfileStore` (module OutboxPostgres, issue #14). Each keeps the meaning
/// and the sealing of the SQLite operation it is named after, so the commands print the
/// same on both stores.
public protocol ProfileStore: OAuthTokenStore {
    /// One stored profile, or nil.
    func profile(owner: String) throws -> ProfileRecord?
    /// Every stored profile, by owner.
    func profiles() throws -> [ProfileRecord]
    /// An owner's stored profile layer (its secret opened), or nil.
    func profileFields(owner: String) throws -> ProfileFields?
    /// The owner's layer and the global (company) layer, read in one snapshot.
    func profileLayers(owner: String) throws -> (own: ProfileFields?, global: ProfileFields?)
    /// Deletes an owner's profile; returns whether there was one.
    @discardableResult func deleteProfile(owner: String) throws -> Bool
    /// Sets (or with nil, removes) a company-wide setting.
    func setSetting(_ name: String, _ value: String?) throws
    /// Stores a completed OAuth sign-in (see ``OutboxDatabase/saveOAuthAuthorisation(owner:mode:provider:authority:tenant:clientID:clientSecretCredential:refreshToken:accessToken:expiresAt:now:)``).
    func saveOAuthAuthorisation(
        owner: String, mode: SenderMode, provider: String?, authority: String, tenant: String?, clientID: String,
        clientSecretCredential: String?, refreshToken: String?, accessToken: String, expiresAt: Int64, now: Int64) throws
    /// Reads the key and tries every sealed value with it.
    func secretsStatus() throws -> SecretsStatus
    /// The key exists and is published, waiting secrets are sealed; the resulting status.
    func prepareSecrets() throws -> SecretsStatus
    /// Seals every secret to a new key in one transaction (see ``OutboxDatabase/rotateSecretsKey(newKeyFile:)``).
    func rotateSecretsKey(newKeyFile: String?) throws -> SecretsRotation
}

extension OutboxDatabase: ProfileStore {
    /// One host: the token provider serialises its own threads, and another process on
    /// this host that rotated the refresh token is found when the old one is refused.
    public var refreshesAcrossHosts: Bool { false }

    public func whileRefreshing<T>(owner: String, _ refresh: () throws -> T) throws -> T { try refresh() }
}
