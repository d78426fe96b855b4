import Foundation
import OutboxCore
import OutboxStore
import PostgresNIO

/// Profile layers on PostgreSQL: the owner's row and the company default named by the
/// `global-profile` setting. Delivery reads passwords from the profile's systemd credential
/// (`secret_credential`); with `secrets`, a sealed password (copied from SQLite) is opened
/// as SQLite's layers open it, for `profile show` and `resolve`.
enum PostgresProfiles {
    static func layers(_ connection: PostgresConnection, logger: Logger, owner: String, secrets: SecretVault? = nil) async throws -> ProfileLayers {
        let own = try await fields(connection, logger: logger, owner: owner, secrets: secrets)
        var globalOwner: String?
        for try await value in try await connection.query(
            "SELECT value FROM setting WHERE name = \(OutboxDatabase.globalProfileSetting)", logger: logger).decode(String.self) {
            globalOwner = value
        }
        guard let globalOwner, globalOwner != owner else { return ProfileLayers(own: own, global: nil) }
        return ProfileLayers(own: own, global: try await fields(connection, logger: logger, owner: globalOwner, secrets: secrets))
    }

    private typealias Row = (String?, String?, Int?, String?, String?, String?, String?, String?, String?, String?, Bool?, String?,
                             String?, String?, Int?, Int?, Int?, Int?, Int?, Bool?, String?, String?, String?, Data?)

    static func fields(_ connection: PostgresConnection, logger: Logger, owner: String, secrets: SecretVault? = nil) async throws -> ProfileFields? {
        var found: ProfileFields?
        for try await row in try await connection.query("""
            SELECT mode, host, port, tls, username, secret_credential, from_address, from_name, reply_to, archive_bcc, verify_tls,
                ca_file, bind_address, url, per_minute, per_hour, per_day, recipients_per_day, max_connections, from_login,
                sent_copy_folder, sent_copy_url, sent_copy_user, CASE WHEN \(secrets != nil) THEN secret_sealed END
            FROM profile WHERE owner = \(owner)
            """, logger: logger).decode(Row.self) {
            var fields = ProfileFields()
            fields.mode = row.0.flatMap(SenderMode.init(rawValue:))
            fields.host = row.1
            fields.port = row.2
            fields.tls = row.3.flatMap(TLSMode.init(rawValue:))
            fields.username = row.4
            fields.secretCredential = row.5
            fields.fromAddress = row.6
            fields.fromName = row.7
            fields.replyTo = row.8
            fields.archiveBcc = row.9
            fields.verifyTLS = row.10
            fields.caFile = row.11
            fields.bindAddress = row.12
            fields.url = row.13
            fields.perMinute = row.14
            fields.perHour = row.15
            fields.perDay = row.16
            fields.recipientsPerDay = row.17
            fields.maxConnections = row.18
            fields.fromLogin = row.19
            fields.sentCopyFolder = row.20
            fields.sentCopyURL = row.21
            fields.sentCopyUser = row.22
            if let secrets, let sealed = row.23 {
                do {
                    fields.secret = try secrets.open(sealed, context: SecretContext(owner: owner, field: .password))
                } catch {
                    fields.secretUnavailable = UnavailableSecret(.sealedSecret, error.reason)
                }
            }
            found = fields
        }
        return found
    }
}
