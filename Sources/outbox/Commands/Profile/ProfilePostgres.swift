import ArgumentParser
import OutboxCore
import OutboxDaemon
import OutboxPostgres
import OutboxStore

/// `outbox profile set` on a PostgreSQL outbox (`--db postgres://…`): the same checks,
/// notices and output as on SQLite, over the profile columns delivery on PostgreSQL reads.
/// What that store cannot hold yet is refused before anything is read or saved: a password
/// kept in the database (give `--password-credential NAME`, a systemd credential every node
/// has), sent copies, and `--test`.
extension ProfileSetCommand {
    func runOnPostgres() throws {
        var refused: [String] = []
        if secret.fromStdin || secret.file != nil { refused.append("a stored password (--password-stdin/--password-file): give --password-credential NAME") }
        if sentCopy != nil || sentCopyURL != nil || sentCopyUser != nil { refused.append("--sent-copy, --sent-copy-url, --sent-copy-user") }
        if test { refused.append("--test (save, then try it with outbox profile test)") }
        guard refused.isEmpty else {
            throw ValidationError("a PostgreSQL outbox cannot hold this yet: \(refused.joined(separator: "; ")); nothing was saved")
        }
        let record = try database.withPostgresProfiles { profiles -> ProfileRecord? in
            let stored = try profiles.profileLayers(owner: owner)
            let routing = try? SystemRelay.routing(config: testOptions.config, withSecret: false)
            let fields = try checkedChange(stored: stored, routing: routing)
            try noteOAuthSignIn(resolve(fields, stored, routing?.systemRelay ?? ProfileFields()), profiles, stored)
            let owner = owner, credential = secret.credential, clear = Set(clear), now = nowMilliseconds()
            try DatabaseOptions.waitFor {
                try await profiles.store.saveProfile(owner: owner, fields: fields, secretCredential: credential, clear: clear, now: now)
            }
            return try profiles.profile(owner: owner)
        }
        try printSaved(record!)
    }
}

extension DatabaseOptions {
    /// Runs `body` on the profiles, settings and secrets of whichever store the setting
    /// names (``ProfileStore``): the SQLite file opened read-write, or the PostgreSQL outbox
    /// (closed afterwards); errors as the SQLite path reports them.
    func withProfileStore<T>(_ body: (any ProfileStore) throws -> T) throws -> T {
        guard isPostgres else {
            let outbox = try open()
            return try Failure.guarding { try body(outbox) }
        }
        return try withPostgresProfiles(body)
    }

    /// ``withProfileStore(_:)`` on the PostgreSQL outbox the setting names.
    func withPostgresProfiles<T>(_ body: (PostgresProfileStore) throws -> T) throws -> T {
        let setting = resolvedPath
        let profiles = try Failure.guarding {
            PostgresProfileStore(store: try Self.waitFor { try await PostgresStore.openReachable(try PostgresLocation(setting), maximumConnections: 2) })
        }
        defer { profiles.store.close() }
        return try Failure.guarding { try body(profiles) }
    }

    /// An owner's stored profile, from whichever store the setting names.
    func storedProfile(owner: String) throws -> ProfileRecord? {
        try withProfileStore { try $0.profile(owner: owner) }
    }

    /// Every stored profile and the `global-profile` setting, from whichever store the setting names.
    func storedProfiles() throws -> (records: [ProfileRecord], global: String?) {
        try withProfileStore { store in (try store.profiles(), try store.setting(OutboxDatabase.globalProfileSetting)) }
    }
}
