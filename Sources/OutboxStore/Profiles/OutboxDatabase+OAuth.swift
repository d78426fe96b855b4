import GRDB
import OutboxCore

extension OutboxDatabase {
    /// The OAuth columns of one profile row. Tokens are redacted in `description`.
    public struct OAuthColumns: Sendable, Hashable, CustomStringConvertible {
        /// `google`, or nil for Microsoft (the state stored before Gmail was supported).
        public let provider: String?
        public let authority: String?
        public let tenant: String?
        /// The systemd credential holding the client secret, when the client has one.
        public let clientSecretCredential: String?
        public let clientID: String?
        public let refreshToken: String?
        public let accessToken: String?
        /// When the access token expires (Unix ms).
        public let expiresAt: Int64?
        /// Why stored tokens could not be opened (no secrets key, or another key); the tokens are nil then.
        public let tokensUnavailable: SecretError?

        /// The OAuth columns as another store (PostgreSQL) reads them.
        package init(provider: String?, authority: String?, tenant: String?, clientSecretCredential: String?, clientID: String?,
                     refreshToken: String?, accessToken: String?, expiresAt: Int64?, tokensUnavailable: SecretError?) {
            self.provider = provider
            self.authority = authority
            self.tenant = tenant
            self.clientSecretCredential = clientSecretCredential
            self.clientID = clientID
            self.refreshToken = refreshToken
            self.accessToken = accessToken
            self.expiresAt = expiresAt
            self.tokensUnavailable = tokensUnavailable
        }

        public var description: String {
            "OAuthColumns(provider: \(provider ?? "microsoft"), authority: \(authority ?? "-"), tenant: \(tenant ?? "-"), client: \(clientID ?? "-"), "
                + "refresh: \(refreshToken == nil ? "-" : "<redacted>"), access: \(accessToken == nil ? "-" : "<redacted>"), "
                + "expiresAt: \(expiresAt.map(String.init) ?? "-"))"
        }
    }

    /// The owner's OAuth columns, or nil when the owner has no profile row.
    public func oauthColumns(owner: String) throws -> OAuthColumns? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT oauth_provider, oauth_authority, oauth_tenant, oauth_client_secret_credential, oauth_client_id, oauth_refresh_token, oauth_access_token, oauth_refresh_sealed,
                       oauth_access_sealed, oauth_expires_at
                FROM profile WHERE owner = ?
                """, arguments: [owner])
            else { return nil }
            let refresh = Self.openSecret(row, .oauthRefreshToken, owner: owner, secrets: secrets)
            let access = Self.openSecret(row, .oauthAccessToken, owner: owner, secrets: secrets)
            return OAuthColumns(provider: row["oauth_provider"], authority: row["oauth_authority"], tenant: row["oauth_tenant"],
                                clientSecretCredential: row["oauth_client_secret_credential"], clientID: row["oauth_client_id"],
                                refreshToken: refresh.value, accessToken: access.value, expiresAt: row["oauth_expires_at"],
                                tokensUnavailable: refresh.problem ?? access.problem)
        }
    }

    /// Stores a completed sign-in (`outbox profile oauth`): provider, authority, tenant,
    /// client id (and the name of the credential holding the client secret) and tokens,
    /// creating the profile if needed. Mode, host, port and TLS are set to the provider's
    /// (`m365-oauth`, smtp.office365.com:587, or `gmail-oauth`, smtp.gmail.com:587,
    /// STARTTLS) where the owner has none. Like any profile change this lifts a hold on the profile.
    public func saveOAuthAuthorisation(
        owner: String, mode: SenderMode = .m365OAuth, provider: String? = nil, authority: String, tenant: String?, clientID: String,
        clientSecretCredential: String? = nil, refreshToken: String?, accessToken: String, expiresAt: Int64, now: Int64
    ) throws {
        let preset = mode.oauthPreset ?? .office365
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO profile (owner, mode, host, port, tls, oauth_authority, oauth_tenant, oauth_client_id,
                                     oauth_refresh_sealed, oauth_access_sealed, oauth_expires_at, updated_at,
                                     oauth_provider, oauth_client_secret_credential)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(owner) DO UPDATE SET \(Self.oauthSignInUpdate),
                    oauth_refresh_token = CASE WHEN excluded.oauth_refresh_sealed IS NULL THEN profile.oauth_refresh_token END,
                    oauth_access_token = NULL
                """, arguments: [
                    owner, mode.rawValue, preset.host, preset.port, preset.tls.rawValue, authority, tenant,
                    clientID, try refreshToken.map { try seal($0, db, owner: owner, field: .oauthRefreshToken) },
                    try seal(accessToken, db, owner: owner, field: .oauthAccessToken), expiresAt, now, provider, clientSecretCredential,
                ])
        }
    }

    /// What a sign-in changes on an existing profile row (`excluded` is the new row), in
    /// both stores' SQL: the provider's server where the owner has none, the OAuth columns,
    /// the sealed tokens (a missing refresh token keeps the stored one), a hold lifted.
    package static let oauthSignInUpdate = """
        mode = COALESCE(profile.mode, excluded.mode), host = COALESCE(profile.host, excluded.host),
        port = COALESCE(profile.port, excluded.port), tls = COALESCE(profile.tls, excluded.tls),
        oauth_authority = excluded.oauth_authority, oauth_tenant = excluded.oauth_tenant,
        oauth_client_id = excluded.oauth_client_id, oauth_provider = excluded.oauth_provider,
        oauth_client_secret_credential = excluded.oauth_client_secret_credential,
        oauth_refresh_sealed = COALESCE(excluded.oauth_refresh_sealed, profile.oauth_refresh_sealed),
        oauth_access_sealed = excluded.oauth_access_sealed, oauth_expires_at = excluded.oauth_expires_at,
        held_until = NULL, held_reason = NULL, updated_at = excluded.updated_at
        """

    /// Stores refreshed tokens; a nil refresh token keeps the stored one. Does not count as
    /// a profile change (no hold is lifted). Throws `notFound` when the owner has no profile.
    public func saveOAuthTokens(owner: String, refreshToken: String?, accessToken: String, expiresAt: Int64) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE profile SET oauth_refresh_sealed = COALESCE(:refresh, oauth_refresh_sealed), oauth_access_sealed = :access,
                                   oauth_expires_at = :expiresAt, oauth_access_token = NULL,
                                   oauth_refresh_token = CASE WHEN :refresh IS NULL THEN oauth_refresh_token END
                WHERE owner = :owner
                """, arguments: ["refresh": try refreshToken.map { try seal($0, db, owner: owner, field: .oauthRefreshToken) },
                                 "access": try seal(accessToken, db, owner: owner, field: .oauthAccessToken), "expiresAt": expiresAt,
                                 "owner": owner])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "owner \(owner) has no profile to store OAuth tokens on") }
        }
    }
}
