import OutboxCore
import OutboxStore
import PostgresNIO

/// `outbox profile set|show|list` on PostgreSQL: the profile columns delivery on PostgreSQL
/// reads (``PostgresProfiles``). A password lives in a systemd credential named by the
/// profile (`secret_credential`), never in this database; sent copies and OAuth sign-ins
/// are not delivered from PostgreSQL yet, so they cannot be set here.
extension PostgresStore {
    /// One stored profile, or nil; with `secrets`, its sealed password opened as on SQLite.
    public func profile(owner: String, secrets: SecretVault? = nil) async throws -> ProfileRecord? {
        try await profileRecords(owner: owner, secrets: secrets).first
    }

    /// Every stored profile, by owner; with `secrets`, sealed passwords opened as on SQLite.
    public func profiles(secrets: SecretVault? = nil) async throws -> [ProfileRecord] {
        try await profileRecords(owner: nil, secrets: secrets)
    }

    /// A company-wide setting (`global-profile`), or nil.
    public func setting(_ name: String) async throws -> String? {
        let logger = logger
        return try await client.withConnection { connection in
            for try await value in try await connection.query("SELECT value FROM setting WHERE name = \(name)", logger: logger).decode(String.self) {
                return value
            }
            return nil
        }
    }

    /// Creates or changes an owner's profile as ``OutboxStore/OutboxDatabase/saveProfile(owner:fields:secretCredential:clear:now:)``
    /// does: `fields` over the stored ones, `clear` back to inherited, a hold lifted. A
    /// password in `fields` is refused (``StoreError/Code/invalidState``): name a credential.
    public func saveProfile(owner: String, fields: ProfileFields, secretCredential: String?, clear: Set<String>, now: Int64) async throws {
        guard fields.secret == nil else { throw Self.storedPasswordRefused }
        let logger = logger
        try await transaction { connection in
            var existingCredential: String?
            for try await credential in try await connection.query(
                "SELECT secret_credential FROM profile WHERE owner = \(owner) FOR UPDATE", logger: logger).decode(String?.self) {
                existingCredential = credential
            }
            let merged = (try await PostgresProfiles.fields(connection, logger: logger, owner: owner) ?? ProfileFields()).applying(fields, clearing: clear)
            var credential = secretCredential ?? existingCredential
            if clear.contains("secret") || clear.contains("username") { credential = nil }
            let clearsSealed = secretCredential != nil || clear.contains("secret") || clear.contains("username")
            try await connection.query("""
                INSERT INTO profile (owner, mode, host, port, tls, username, secret_credential, from_address, from_name, reply_to, archive_bcc,
                                     verify_tls, ca_file, bind_address, url, per_minute, per_hour, per_day, recipients_per_day, max_connections,
                                     from_login, held_until, held_reason, updated_at)
                VALUES (\(owner), \(merged.mode?.rawValue), \(merged.host), \(merged.port), \(merged.tls?.rawValue), \(merged.username),
                        \(credential), \(merged.fromAddress), \(merged.fromName), \(merged.replyTo), \(merged.archiveBcc), \(merged.verifyTLS),
                        \(merged.caFile), \(merged.bindAddress), \(merged.url), \(merged.perMinute), \(merged.perHour), \(merged.perDay),
                        \(merged.recipientsPerDay), \(merged.maxConnections), \(merged.fromLogin), NULL, NULL, \(now))
                ON CONFLICT (owner) DO UPDATE SET
                    mode = excluded.mode, host = excluded.host, port = excluded.port, tls = excluded.tls, username = excluded.username,
                    secret_credential = excluded.secret_credential,
                    secret_sealed = CASE WHEN \(clearsSealed) THEN NULL ELSE profile.secret_sealed END,
                    from_address = excluded.from_address, from_name = excluded.from_name, reply_to = excluded.reply_to,
                    archive_bcc = excluded.archive_bcc, verify_tls = excluded.verify_tls, ca_file = excluded.ca_file,
                    bind_address = excluded.bind_address, url = excluded.url, per_minute = excluded.per_minute, per_hour = excluded.per_hour,
                    per_day = excluded.per_day, recipients_per_day = excluded.recipients_per_day, max_connections = excluded.max_connections,
                    from_login = excluded.from_login, held_until = NULL, held_reason = NULL, updated_at = excluded.updated_at
                """, logger: logger)
        }
    }

    /// The refusal of a password to be stored in a PostgreSQL outbox.
    public static let storedPasswordRefused = StoreError(
        .invalidState, "a PostgreSQL outbox does not store passwords: give --password-credential NAME "
            + "(a systemd credential every node has, e.g. LoadCredentialEncrypted=NAME in the unit); nothing was saved")

    private func profileRecords(owner: String?, secrets: SecretVault?) async throws -> [ProfileRecord] {
        let logger = logger
        return try await client.withConnection { connection in
            var rows: [(String, String?, Int64?, String?, Int64, Bool)] = []
            for try await row in try await connection.query("""
                SELECT owner, secret_credential, held_until, held_reason, updated_at, secret_sealed IS NOT NULL
                FROM profile WHERE \(owner)::text IS NULL OR owner = \(owner) ORDER BY owner
                """, logger: logger).decode((String, String?, Int64?, String?, Int64, Bool).self) { rows.append(row) }
            var records: [ProfileRecord] = []
            for (owner, credential, heldUntil, heldReason, updatedAt, sealed) in rows {
                guard var fields = try await PostgresProfiles.fields(connection, logger: logger, owner: owner, secrets: secrets) else { continue }
                // A password copied sealed from SQLite: shown as stored, though delivery here does not open it.
                if sealed, credential == nil, secrets == nil { fields.secretUnavailable = UnavailableSecret(.sealedSecret, "stored sealed (copied from SQLite); a PostgreSQL outbox reads passwords from credentials only") }
                records.append(ProfileRecord(owner: owner, fields: fields, secretCredential: credential, heldUntil: heldUntil,
                                             heldReason: heldReason, updatedAt: updatedAt))
            }
            return records
        }
    }
}
