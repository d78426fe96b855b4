import ArgumentParser
import OutboxCore
import OutboxPostgres
import OutboxStore

/// `outbox profile set|show|list` on a PostgreSQL outbox (`--db postgres://…`): the same
/// checks and output as on SQLite, over the profile columns delivery on PostgreSQL reads.
/// What that store cannot hold yet is refused before anything is read or saved: a password
/// kept in the database (give `--password-credential NAME`, a systemd credential every node
/// has), OAuth modes, sent copies, and `--test`.
extension ProfileSetCommand {
    func runOnPostgres() throws {
        var refused: [String] = []
        if secret.fromStdin || secret.file != nil { refused.append("a stored password (--password-stdin/--password-file): give --password-credential NAME") }
        if let mode = mode.flatMap(SenderMode.init(rawValue:)) ?? preset.flatMap(ProfilePreset.init(rawValue:))?.mode, mode.usesOAuth {
            refused.append("mode \(mode.rawValue) (OAuth sign-ins are not stored on PostgreSQL)")
        }
        if sentCopy != nil || sentCopyURL != nil || sentCopyUser != nil { refused.append("--sent-copy, --sent-copy-url, --sent-copy-user") }
        if test { refused.append("--test (save, then send a test message with outbox enqueue)") }
        guard refused.isEmpty else {
            throw ValidationError("a PostgreSQL outbox cannot hold this yet: \(refused.joined(separator: "; ")); nothing was saved")
        }
        let owner = owner
        let layers = try database.readPostgresStore { try await $0.profileLayers(owner: owner) }
        let stored = (own: layers.own, global: layers.global)
        let routing = try? SystemRelay.routing(config: testOptions.config, withSecret: false)
        let fields = try checkedChange(stored: stored, routing: routing)
        let credential = secret.credential, clear = Set(clear), now = nowMilliseconds()
        let record = try database.readPostgresStore { store -> ProfileRecord? in
            try await store.saveProfile(owner: owner, fields: fields, secretCredential: credential, clear: clear, now: now)
            return try await store.profile(owner: owner)
        }
        try printSaved(record!)
    }
}

extension DatabaseOptions {
    /// An owner's stored profile, from whichever store the setting names.
    func storedProfile(owner: String) throws -> ProfileRecord? {
        guard isPostgres else { return try Failure.guarding { try open().profile(owner: owner) } }
        return try readPostgresStore { try await $0.profile(owner: owner) }
    }

    /// Every stored profile and the `global-profile` setting, from whichever store the setting names.
    func storedProfiles() throws -> (records: [ProfileRecord], global: String?) {
        guard isPostgres else {
            let outbox = try open()
            return try Failure.guarding { (try outbox.profiles(), try outbox.setting(OutboxDatabase.globalProfileSetting)) }
        }
        return try readPostgresStore { store in (try await store.profiles(), try await store.setting(OutboxDatabase.globalProfileSetting)) }
    }
}
