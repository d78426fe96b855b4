import OutboxStore

/// The key that seals passwords and tokens in the database (`outbox secrets status`): readable
/// here, the one the database's secrets are sealed for, and every sealed secret opens with it.
enum SecretsCheck {
    static func run(_ database: OutboxDatabase) -> DoctorFinding {
        let status: SecretsStatus
        do { status = try database.secretsStatus() } catch {
            return .problem("secrets key", "the secrets cannot be read: \(error)", fix: "run outbox secrets status for the details")
        }
        if status.sealed == 0, status.pending == 0, status.databaseKeyID == nil {
            return .ok("secrets key", "no password or token is stored in the database")
        }
        guard let keyID = status.keyID else {
            return .problem("secrets key", "\(status.sealed) sealed secret(s), but the key (\(status.source)) cannot be read: \(status.keyProblem ?? "?")",
                            fix: "restore the key file, or run doctor as a user that may read it (root, or the service user); profiles with sealed secrets are held until then")
        }
        if let databaseKey = status.databaseKeyID, databaseKey != keyID {
            return .problem("secrets key", "the database's secrets are sealed for key \(databaseKey), but \(status.source) holds key \(keyID)",
                            fix: "put the key the secrets were sealed for back in place (outbox secrets status shows where)")
        }
        if !status.unopenable.isEmpty {
            return .problem("secrets key", "\(status.unopenable.count) secret(s) do not open: \(status.unopenable.joined(separator: "; "))",
                            fix: "set those passwords again with outbox profile set OWNER --password-stdin")
        }
        if status.pending > 0 {
            return .warning("secrets key", "\(status.pending) plain-text secret(s) from before sealing",
                            fix: "run outbox secrets init as the database's owner (sudo -u outbox outbox secrets init)")
        }
        return .ok("secrets key", "key \(keyID) (\(status.source)) opens all \(status.sealed) sealed secret(s)")
    }
}
