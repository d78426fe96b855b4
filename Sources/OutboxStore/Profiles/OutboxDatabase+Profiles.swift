import GRDB
import OutboxCore

extension OutboxDatabase {
    /// The setting naming the owner whose profile is the company default.
    public static let globalProfileSetting = "global-profile"

    /// An owner's stored profile layer, or nil when the owner has none.
    public func profileFields(owner: String) throws -> ProfileFields? {
        try pool.read { db in try Self.profileFields(db, owner: owner, secrets: secrets) }
    }

    /// The owner's layer and the global (company) layer, read in one snapshot.
    public func profileLayers(owner: String) throws -> (own: ProfileFields?, global: ProfileFields?) {
        try pool.read { db in
            let own = try Self.profileFields(db, owner: owner, secrets: secrets)
            guard let globalOwner = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE name = ?"),
                                                        arguments: [Self.globalProfileSetting]),
                globalOwner != owner
            else { return (own, nil) }
            return (own, try Self.profileFields(db, owner: globalOwner, secrets: secrets))
        }
    }

    /// The owner's layer; its secret opened with `secrets` (nil: the secret is left out).
    /// The statement is cached: preparing it (GRDB authorises every column) cost a million
    /// CPU instructions, at every claim and profile re-read of the daemon.
    static func profileFields(_ db: Database, owner: String, secrets: SecretVault?) throws -> ProfileFields? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM profile WHERE owner = ?"), arguments: [owner]) else { return nil }
        var fields = ProfileFields()
        fields.mode = (row["mode"] as String?).flatMap(SenderMode.init(rawValue:))
        fields.host = row["host"]
        fields.port = row["port"]
        fields.tls = (row["tls"] as String?).flatMap(TLSMode.init(rawValue:))
        fields.username = row["username"]
        if let secrets {
            let opened = openSecret(row, .password, owner: owner, secrets: secrets)
            fields.secret = opened.value
            fields.secretUnavailable = opened.problem.map { UnavailableSecret(.sealedSecret, $0.reason) }
        }
        fields.secretCredential = row["secret_credential"]
        fields.fromAddress = row["from_address"]
        fields.fromName = row["from_name"]
        fields.replyTo = row["reply_to"]
        fields.archiveBcc = row["archive_bcc"]
        fields.verifyTLS = (row["verify_tls"] as Int?).map { $0 != 0 }
        fields.caFile = row["ca_file"]
        fields.bindAddress = row["bind_address"]
        fields.url = row["url"]
        fields.perMinute = row["per_minute"]
        fields.perHour = row["per_hour"]
        fields.perDay = row["per_day"]
        fields.recipientsPerDay = row["recipients_per_day"]
        fields.maxConnections = row["max_connections"]
        fields.fromLogin = (row["from_login"] as Int?).map { $0 != 0 }
        fields.sentCopyFolder = row["sent_copy_folder"]
        fields.sentCopyURL = row["sent_copy_url"]
        fields.sentCopyUser = row["sent_copy_user"]
        return fields
    }
}
