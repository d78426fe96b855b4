import Dispatch
import Foundation
import OutboxCore
public import OutboxStore
import PostgresNIO
import Synchronization

/// The ``OutboxStore/ProfileStore`` seam on PostgreSQL: profiles, settings, OAuth sign-ins
/// and tokens, and the secrets key, as the SQLite outbox keeps them. Secrets are sealed
/// exactly as there (``OutboxStore/SealedSecret`` to the public key in the `setting` table,
/// opened with this process's ``OutboxStore/SecretVault``), so `outbox store copy` carries
/// them over sealed and every node opens them with the same key.
///
/// Synchronous like the SQLite store: the commands and the delivery engine's threads call
/// it, and it waits for postgres-nio on the calling thread (never call it from the pool).
public final class PostgresProfileStore: ProfileStore {
    public let store: PostgresStore
    public let secrets: SecretVault
    /// One cross-node refresh lock at a time per process (see ``whileRefreshing(owner:_:)``).
    private let refreshing = NSLock()

    /// - Parameter secrets: the key; default ``OutboxStore/SecretKeySource/resolve(sharedStoreEnvironment:)``.
    public init(store: PostgresStore, secrets: SecretVault = SecretVault(source: .resolve(sharedStoreEnvironment: ProcessInfo.processInfo.environment))) {
        self.store = store
        self.secrets = secrets
    }

    public func profile(owner: String) throws -> ProfileRecord? {
        try run { [secrets] in try await $0.profile(owner: owner, secrets: secrets) }
    }

    public func profiles() throws -> [ProfileRecord] {
        try run { [secrets] in try await $0.profiles(secrets: secrets) }
    }

    public func profileFields(owner: String) throws -> ProfileFields? {
        try run { [secrets] store in
            try await store.client.withConnection { connection in
                try await PostgresProfiles.fields(connection, logger: store.logger, owner: owner, secrets: secrets)
            }
        }
    }

    public func profileLayers(owner: String) throws -> (own: ProfileFields?, global: ProfileFields?) {
        let layers = try run { [secrets] store in
            try await store.transaction { connection in
                try await PostgresProfiles.layers(connection, logger: store.logger, owner: owner, secrets: secrets)
            }
        }
        return (layers.own, layers.global)
    }

    @discardableResult
    public func deleteProfile(owner: String) throws -> Bool {
        try run { store in
            try await store.client.withConnection { connection in
                try await connection.query("DELETE FROM profile WHERE owner = \(owner) RETURNING owner", logger: store.logger)
                    .decode(String.self).collect().isEmpty == false
            }
        }
    }

    public func setting(_ name: String) throws -> String? {
        try run { try await $0.setting(name) }
    }

    public func setSetting(_ name: String, _ value: String?) throws {
        _ = try run { store in
            try await store.client.withConnection { connection in
                if let value {
                    try await connection.query(
                        "INSERT INTO setting (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        logger: store.logger)
                } else {
                    try await connection.query("DELETE FROM setting WHERE name = \(name)", logger: store.logger)
                }
            }
        }
    }

    // MARK: OAuth

    public func oauthColumns(owner: String) throws -> OutboxDatabase.OAuthColumns? {
        let row = try run { store in
            try await store.client.withConnection { connection in
                try await connection.query("""
                    SELECT oauth_provider, oauth_authority, oauth_tenant, oauth_client_secret_credential, oauth_client_id,
                           oauth_refresh_sealed, oauth_access_sealed, oauth_expires_at
                    FROM profile WHERE owner = \(owner)
                    """, logger: store.logger)
                    .decode((String?, String?, String?, String?, String?, Data?, Data?, Int64?).self).collect().first
            }
        }
        guard let row else { return nil }
        let refresh = open(row.5, owner: owner, field: .oauthRefreshToken), access = open(row.6, owner: owner, field: .oauthAccessToken)
        return OutboxDatabase.OAuthColumns(
            provider: row.0, authority: row.1, tenant: row.2, clientSecretCredential: row.3, clientID: row.4, refreshToken: refresh.value,
            accessToken: access.value, expiresAt: row.7, tokensUnavailable: refresh.problem ?? access.problem)
    }

    public func saveOAuthAuthorisation(
        owner: String, mode: SenderMode, provider: String?, authority: String, tenant: String?, clientID: String,
        clientSecretCredential: String?, refreshToken: String?, accessToken: String, expiresAt: Int64, now: Int64
    ) throws {
        let preset = mode.oauthPreset ?? .office365
        try run { [secrets] store in
            try await store.transaction { connection in
                let key = try await Self.sealingKey(connection, logger: store.logger, secrets: secrets)
                let refresh = try refreshToken.map { try SealedSecret.seal($0, to: key, context: SecretContext(owner: owner, field: .oauthRefreshToken)) }
                let access = try SealedSecret.seal(accessToken, to: key, context: SecretContext(owner: owner, field: .oauthAccessToken))
                try await connection.query("""
                    INSERT INTO profile (owner, mode, host, port, tls, oauth_authority, oauth_tenant, oauth_client_id,
                                         oauth_refresh_sealed, oauth_access_sealed, oauth_expires_at, updated_at,
                                         oauth_provider, oauth_client_secret_credential)
                    VALUES (\(owner), \(mode.rawValue), \(preset.host), \(preset.port), \(preset.tls.rawValue), \(authority), \(tenant), \(clientID),
                            \(refresh), \(access), \(expiresAt), \(now), \(provider), \(clientSecretCredential))
                    ON CONFLICT (owner) DO UPDATE SET \(unescaped: OutboxDatabase.oauthSignInUpdate)
                    """, logger: store.logger)
            }
        }
    }

    public func saveOAuthTokens(owner: String, refreshToken: String?, accessToken: String, expiresAt: Int64) throws {
        try run { [secrets] store in
            try await store.transaction { connection in
                let key = try await Self.sealingKey(connection, logger: store.logger, secrets: secrets)
                let refresh = try refreshToken.map { try SealedSecret.seal($0, to: key, context: SecretContext(owner: owner, field: .oauthRefreshToken)) }
                let access = try SealedSecret.seal(accessToken, to: key, context: SecretContext(owner: owner, field: .oauthAccessToken))
                let updated = try await connection.query("""
                    UPDATE profile SET oauth_refresh_sealed = COALESCE(\(refresh), oauth_refresh_sealed), oauth_access_sealed = \(access),
                                       oauth_expires_at = \(expiresAt)
                    WHERE owner = \(owner) RETURNING owner
                    """, logger: store.logger).decode(String.self).collect()
                guard !updated.isEmpty else { throw StoreError(.notFound, "owner \(owner) has no profile to store OAuth tokens on") }
            }
        }
    }

    /// Several nodes share the tokens.
    public var refreshesAcrossHosts: Bool { true }

    /// Holds a PostgreSQL advisory lock for `owner`'s tokens while `refresh` runs, so one
    /// node at a time redeems the refresh token; a node that waited reads the tokens the
    /// other stored. The lock lives on a connection of its own (one per process at a time)
    /// and is let go when `refresh` returns, or by the server if this process dies.
    public func whileRefreshing<T>(owner: String, _ refresh: () throws -> T) throws -> T {
        refreshing.lock()
        defer { refreshing.unlock() }
        let (release, releaser) = AsyncStream<Never>.makeStream()
        let held = DispatchSemaphore(value: 0)
        let failure = LockFailure()
        let store = store
        let name = "outbox-oauth-refresh:" + owner
        let holder = Task {
            do {
                try await store.client.withConnection { connection in
                    try await connection.query("SELECT pg_advisory_lock(hashtextextended(\(name), 0))", logger: store.logger)
                    held.signal()
                    for await _ in release {}
                    try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(name), 0))", logger: store.logger)
                }
            } catch {
                failure.set(error)
                held.signal()
            }
        }
        held.wait()
        defer {
            releaser.finish()
            _ = holder
        }
        if let error = failure.error { throw PostgresStore.reported(error, doing: "locking the OAuth tokens of owner \(owner) on \(store.location)") }
        return try refresh()
    }

    // MARK: Secrets

    public func secretsStatus() throws -> SecretsStatus {
        var keyID: String?, keyProblem: String?
        do { keyID = try secrets.key().id } catch { keyProblem = error.reason }
        let (rows, published) = try run { store in
            try await store.client.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT owner, secret_sealed, oauth_refresh_sealed, oauth_access_sealed FROM profile ORDER BY owner", logger: store.logger)
                    .decode((String, Data?, Data?, Data?).self).collect()
                return (rows, try await Self.publishedKey(connection, logger: store.logger, locking: ""))
            }
        }
        var sealed = 0
        var unopenable: [String] = []
        for (owner, password, refresh, access) in rows {
            for (field, value) in [(SecretContext.Field.password, password), (.oauthRefreshToken, refresh), (.oauthAccessToken, access)] {
                guard let value else { continue }
                sealed += 1
                if keyID != nil, let problem = open(value, owner: owner, field: field).problem { unopenable.append(problem.reason) }
            }
        }
        return SecretsStatus(source: secrets.source, keyID: keyID, keyProblem: keyProblem, databaseKeyID: published?.id, sealed: sealed,
                             pending: 0, unopenable: unopenable)
    }

    /// `outbox secrets init` on PostgreSQL: this process's key (created at its key file when
    /// there is none) is published unless one is; a PostgreSQL outbox holds no plain-text
    /// secrets, so none wait to be sealed.
    public func prepareSecrets() throws -> SecretsStatus {
        try run { [secrets] store in
            try await store.transaction { connection in
                _ = try await Self.sealingKey(connection, logger: store.logger, secrets: secrets, mayCreate: true)
            }
        }
        return try secretsStatus()
    }

    public func rotateSecretsKey(newKeyFile: String?) throws -> SecretsRotation {
        let published = try run { store in
            try await store.client.withConnection { try await Self.publishedKey($0, logger: store.logger, locking: "") }
        }
        return try secrets.rotate(published: published, newKeyFile: newKeyFile) { old, new in
            try run { store in try await store.transaction { try await Self.reseal($0, logger: store.logger, from: old, to: new) } }
        }
    }

    /// Every secret of the outbox opened with `old` and sealed to `new`, and `new` published,
    /// inside a transaction; the published key's row is locked first, so writers that seal
    /// (which read it `FOR SHARE`) wait and then seal to the new key.
    private static func reseal(_ connection: PostgresConnection, logger: Logger, from old: SecretKey, to new: SecretKey) async throws -> Int {
        _ = try await publishedKey(connection, logger: logger, locking: "FOR UPDATE")
        var count = 0
        func resealed(_ sealed: Data, _ owner: String, _ field: SecretContext.Field) throws -> Data {
            let context = SecretContext(owner: owner, field: field)
            count += 1
            return try SealedSecret.seal(try SealedSecret.open(sealed, with: old, context: context), to: new.publicKey, context: context)
        }
        let profiles = try await connection.query(
            "SELECT owner, secret_sealed, oauth_refresh_sealed, oauth_access_sealed FROM profile ORDER BY owner FOR UPDATE", logger: logger)
            .decode((String, Data?, Data?, Data?).self).collect()
        for (owner, password, refresh, access) in profiles where password != nil || refresh != nil || access != nil {
            let password = try password.map { try resealed($0, owner, .password) }
            let refresh = try refresh.map { try resealed($0, owner, .oauthRefreshToken) }
            let access = try access.map { try resealed($0, owner, .oauthAccessToken) }
            try await connection.query("""
                UPDATE profile SET secret_sealed = \(password), oauth_refresh_sealed = \(refresh), oauth_access_sealed = \(access)
                WHERE owner = \(owner)
                """, logger: logger)
        }
        // DKIM keys and webhook secrets are not counted, as on SQLite.
        let counted = count
        for (domain, selector, sealed) in try await connection.query(
            "SELECT domain, selector, private_key FROM dkim_key FOR UPDATE", logger: logger).decode((String, String, Data).self).collect() {
            let value = try resealed(sealed, OutboxDatabase.dkimSecretOwner(domain, selector), .dkimPrivateKey)
            try await connection.query("UPDATE dkim_key SET private_key = \(value) WHERE domain = \(domain) AND selector = \(selector)", logger: logger)
        }
        for (id, sealed) in try await connection.query(
            "SELECT id, secret_sealed FROM webhook_endpoint FOR UPDATE", logger: logger).decode((Int64, Data).self).collect() {
            let value = try resealed(sealed, OutboxDatabase.webhookSecretOwner(id), .webhookSecret)
            try await connection.query("UPDATE webhook_endpoint SET secret_sealed = \(value) WHERE id = \(id)", logger: logger)
        }
        try await connection.query("""
            INSERT INTO setting (name, value) VALUES (\(OutboxDatabase.secretsPublicKeySetting), \(new.publicKey.text))
            ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """, logger: logger)
        return counted
    }

    /// The public key every writer seals to, read `FOR SHARE` so a key rotation waits for
    /// this transaction. With none yet, this process's key is published (with `mayCreate`,
    /// created first at its key file when there is none: `outbox secrets init`); when
    /// another node publishes at the same moment, its key is the one.
    static func sealingKey(_ connection: PostgresConnection, logger: Logger, secrets: SecretVault, mayCreate: Bool = false) async throws -> SecretPublicKey {
        if let key = try await publishedKey(connection, logger: logger, locking: "FOR SHARE") { return key }
        let key = try secrets.existingOrNewKey(mayCreate: mayCreate, refusal: "no secrets key yet: run `outbox secrets init` on one node "
            + "(it creates \(secrets.source.path)), then give every node that key (\(SecretKeySource.credentialName) credential or \(secrets.source.path))")
        try await connection.query("""
            INSERT INTO setting (name, value) VALUES (\(OutboxDatabase.secretsPublicKeySetting), \(key.publicKey.text)) ON CONFLICT (name) DO NOTHING
            """, logger: logger)
        guard let published = try await publishedKey(connection, logger: logger, locking: "FOR SHARE") else {
            throw StoreError(.invalidState, "the secrets public key could not be published")
        }
        return published
    }

    /// The published public key, or nil; `locking`: "", `FOR SHARE` or `FOR UPDATE`.
    private static func publishedKey(_ connection: PostgresConnection, logger: Logger, locking: StaticString) async throws -> SecretPublicKey? {
        var query = PostgresQuery(unsafeSQL: "SELECT value FROM setting WHERE name = $1 \(locking)")
        query.binds.append(OutboxDatabase.secretsPublicKeySetting)
        guard let text = try await connection.query(query, logger: logger).decode(String.self).collect().first else { return nil }
        return try SecretPublicKey(text: text)
    }

    /// A sealed value opened, or why it could not be.
    private func open(_ sealed: Data?, owner: String, field: SecretContext.Field) -> (value: String?, problem: SecretError?) {
        guard let sealed else { return (nil, nil) }
        do { return (try secrets.open(sealed, context: SecretContext(owner: owner, field: field)), nil) } catch { return (nil, error) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        try store.waiting(work)
    }
}

extension PostgresStore {
    /// Waits on this thread (a command's or the engine's, never the pool's) for `work` on
    /// this store; a query error as a ``OutboxStore/StoreError`` with the server's message.
    func waiting<T: Sendable>(_ work: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        do {
            return try waitingOnThisThread { try await work(self) }
        } catch {
            throw PostgresStore.reported(error, doing: "PostgreSQL outbox \(location)")
        }
    }
}

/// The error that kept ``PostgresProfileStore/whileRefreshing(owner:_:)`` from taking its lock.
private final class LockFailure: Sendable {
    private let value = Mutex<(any Error)?>(nil)
    var error: (any Error)? { value.withLock { $0 } }
    func set(_ error: any Error) { value.withLock { $0 = error } }
}

extension AsyncSequence {
    /// Every element, in order.
    fileprivate func collect() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
