import Foundation
import GRDB
import OutboxCore

extension OutboxDatabase {
    /// Creates or updates an owner's profile: fields that are set in `fields` replace the
    /// stored ones; `clear` names fields to reset to "inherit". Changing a profile lifts
    /// any hold on it.
    public func saveProfile(owner: String, fields: ProfileFields, secretCredential: String?, clear: Set<String>, now: Int64) throws {
        try pool.write { db in
            let existingCredential = try String.fetchOne(db, sql: "SELECT secret_credential FROM profile WHERE owner = ?", arguments: [owner])
            let merged = (try Self.profileFields(db, owner: owner, secrets: nil) ?? ProfileFields()).applying(fields, clearing: clear)
            var credential = secretCredential ?? existingCredential
            if fields.secret != nil { credential = nil }
            if clear.contains("secret") || clear.contains("username") { credential = nil }
            // Sealed before it is written; an unchanged secret keeps its sealed bytes.
            let stored = try Row.fetchOne(db, sql: "SELECT secret, secret_sealed FROM profile WHERE owner = ?", arguments: [owner])
            var sealedSecret: Data? = stored?["secret_sealed"]
            if secretCredential != nil || clear.contains("secret") || clear.contains("username") {
                sealedSecret = nil
            } else if let plain = fields.secret ?? stored?["secret"] {
                sealedSecret = try seal(plain, db, owner: owner, field: .password)
            }
            try db.execute(sql: """
                INSERT INTO profile (owner, mode, host, port, tls, username, secret, secret_sealed, secret_credential, from_address, from_name,
                                     reply_to, archive_bcc, verify_tls, ca_file, bind_address, url, per_minute, per_hour, per_day,
                                     max_connections, from_login, held_until, held_reason, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
                ON CONFLICT(owner) DO UPDATE SET
                    mode = excluded.mode, host = excluded.host, port = excluded.port, tls = excluded.tls,
                    username = excluded.username, secret = NULL, secret_sealed = excluded.secret_sealed,
                    secret_credential = excluded.secret_credential,
                    from_address = excluded.from_address, from_name = excluded.from_name, reply_to = excluded.reply_to,
                    archive_bcc = excluded.archive_bcc, verify_tls = excluded.verify_tls, ca_file = excluded.ca_file,
                    bind_address = excluded.bind_address, url = excluded.url, per_minute = excluded.per_minute,
                    per_hour = excluded.per_hour, per_day = excluded.per_day,
                    max_connections = excluded.max_connections, from_login = excluded.from_login, held_until = NULL, held_reason = NULL,
                    updated_at = excluded.updated_at
                """, arguments: [
                    owner, merged.mode?.rawValue, merged.host, merged.port, merged.tls?.rawValue, merged.username, sealedSecret,
                    credential, merged.fromAddress, merged.fromName, merged.replyTo, merged.archiveBcc,
                    merged.verifyTLS.map { $0 ? 1 : 0 }, merged.caFile, merged.bindAddress, merged.url, merged.perMinute,
                    merged.perHour, merged.perDay, merged.maxConnections, merged.fromLogin.map { $0 ? 1 : 0 }, now,
                ])
            try Self.saveSentCopyFields(db, owner: owner, merged)
            try db.execute(sql: "UPDATE profile SET recipients_per_day = ? WHERE owner = ?", arguments: [merged.recipientsPerDay, owner])
        }
    }

    /// Every stored profile, by owner.
    public func profiles() throws -> [ProfileRecord] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT owner FROM profile ORDER BY owner").compactMap { try Self.profileRecord(db, owner: $0, secrets: secrets) }
        }
    }

    /// One stored profile, or nil.
    public func profile(owner: String) throws -> ProfileRecord? {
        try pool.read { db in try Self.profileRecord(db, owner: owner, secrets: secrets) }
    }

    /// Deletes an owner's profile; returns whether there was one.
    @discardableResult
    public func deleteProfile(owner: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM profile WHERE owner = ?", arguments: [owner])
            return db.changesCount > 0
        }
    }

    /// A company-wide setting, or nil.
    public func setting(_ name: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = ?", arguments: [name]) }
    }

    /// Sets (or with nil, removes) a company-wide setting.
    public func setSetting(_ name: String, _ value: String?) throws {
        try pool.write { db in
            if let value {
                try db.execute(sql: "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                               arguments: [name, value])
            } else {
                try db.execute(sql: "DELETE FROM setting WHERE name = ?", arguments: [name])
            }
        }
    }

    static func profileRecord(_ db: Database, owner: String, secrets: SecretVault) throws -> ProfileRecord? {
        guard let fields = try profileFields(db, owner: owner, secrets: secrets),
            let row = try Row.fetchOne(db, sql: "SELECT secret_credential, held_until, held_reason, updated_at FROM profile WHERE owner = ?", arguments: [owner])
        else { return nil }
        return ProfileRecord(owner: owner, fields: fields, secretCredential: row["secret_credential"],
                             heldUntil: row["held_until"], heldReason: row["held_reason"], updatedAt: row["updated_at"])
    }
}
