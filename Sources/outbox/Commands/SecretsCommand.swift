import ArgumentParser
import Foundation
import OutboxStore

/// `outbox secrets …`: the key that seals passwords and OAuth tokens at rest.
struct SecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Show, create or rotate the key that seals passwords and tokens in the database.",
        discussion: """
            Passwords and OAuth tokens are stored sealed to a public key kept in the database: anyone who may write \
            profiles can seal, only a process that reads the private key can open. The private key is read from the \
            systemd credential \(SecretKeySource.credentialName) ($CREDENTIALS_DIRECTORY/\(SecretKeySource.credentialName)), \
            else the file named by $\(SecretKeySource.environmentVariable), else \(SecretKeySource.defaultFileName) beside the \
            database (created there, mode 0600, by the database's owner when there is no key yet). A PostgreSQL outbox has \
            no directory: its nodes read the credential, else $\(SecretKeySource.environmentVariable), else \
            \(SecretKeySource.sharedStoreDefaultPath), and every node needs the same key (`outbox secrets init` creates it there \
            on one node when there is none).
            """,
        subcommands: [SecretsStatusCommand.self, SecretsInitCommand.self, SecretsRotateKeyCommand.self])

    /// Called by `serve` at start: the key exists and is published, waiting secrets are
    /// sealed; problems are reported but do not stop the service (profiles whose secrets
    /// cannot be opened are held, the others keep sending).
    static func prepareForService(_ outbox: OutboxDatabase) {
        reportForService { try outbox.prepareSecrets() }
    }

    /// Called by `serve` on a PostgreSQL outbox: the key is checked, never created (every
    /// node needs the same one, made once by `outbox secrets init`); problems are reported.
    static func checkForService(_ store: any ProfileStore) {
        reportForService { try store.secretsStatus() }
    }

    private static func reportForService(_ status: () throws -> SecretsStatus) {
        do {
            let status = try status()
            if let problem = status.keyProblem {
                Terminal.notice("secrets: \(problem); profiles with sealed secrets are held until the key is back")
            } else if let databaseKey = status.databaseKeyID, databaseKey != status.keyID {
                Terminal.notice("secrets: the database's secrets are sealed for key \(databaseKey), but \(status.source) holds key "
                    + "\(status.keyID ?? "-"); profiles with sealed secrets are held until the right key is back")
            }
            for line in status.unopenable { Terminal.notice("secrets: \(line)") }
        } catch {
            Terminal.notice("secrets: \(error); profiles with sealed secrets are held until this is fixed")
        }
    }
}

/// `outbox secrets status`.
struct SecretsStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Where the key is, whether this user can read it, and whether every secret opens with it.",
        discussion: "Exit status 0 when this user reads the database's key and every sealed secret opens; 1 otherwise.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let status = try database.withProfileStore { try $0.secretsStatus() }
        Self.print(status)
        let healthy = status.keyID != nil && status.unopenable.isEmpty && (status.databaseKeyID == nil || status.databaseKeyID == status.keyID)
        if !healthy { throw ExitCode.failure }
    }

    /// `name  value` lines, the key and database key ids first.
    static func print(_ status: SecretsStatus) {
        for (name, value) in lines(status) { Swift.print("\(name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(value)") }
    }

    static func lines(_ status: SecretsStatus) -> [(String, String)] {
        var lines: [(String, String)] = [
            ("key", "\(status.source)"),
            ("key id", status.keyID.map { "\($0) (this user can open secrets)" } ?? "UNAVAILABLE: \(status.keyProblem ?? "?")"),
            ("database key", status.databaseKeyID.map { id in id == status.keyID || status.keyID == nil ? id : "\(id) — DIFFERENT from this key" }
                ?? "none yet (created when the service starts or the first secret is stored)"),
            ("sealed", "\(status.sealed) secret(s)"),
        ]
        if status.pending > 0 { lines.append(("NOT SEALED", "\(status.pending) plain-text secret(s) from before sealing; run `outbox secrets init` as the database's owner")) }
        for line in status.unopenable { lines.append(("cannot open", line)) }
        return lines
    }
}

/// `outbox secrets init`.
struct SecretsInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the key if there is none, publish it, and seal any plain-text secret left from before.",
        discussion: "The service does this at every start. Run it as the database's owner (e.g. sudo -u outbox outbox secrets init).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let status = try database.withProfileStore { try $0.prepareSecrets() }
        SecretsStatusCommand.print(status)
    }
}

/// `outbox secrets rotate-key`.
struct SecretsRotateKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key", abstract: "Seal every secret to a new key, in one transaction.",
        discussion: """
            Opens every secret with the current key and seals it to a new one; nothing changes when any secret does not \
            open. With a key file, the new key replaces it (the old key is gone: database backups taken before need the \
            old key, so copy it first if you keep them). With a systemd credential, give --new-key-file and install the \
            new key as the credential, then restart the service.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("new-key-file"), help: ArgumentHelp("Write the new key here (a new file, mode 0600) instead of replacing the key file.", valueName: "path"))
    var newKeyFile: String?

    func run() throws {
        let newKeyFile = newKeyFile
        let rotation = try database.withProfileStore { try $0.rotateSecretsKey(newKeyFile: newKeyFile) }
        print("sealed \(rotation.resealed) secret(s) to key \(rotation.newKeyID) (was \(rotation.oldKeyID))")
        if rotation.replacedKeyFile {
            print("the new key replaced \(rotation.newKeyPath)")
        } else {
            print("the new key is in \(rotation.newKeyPath): install it as the service's key (e.g. systemd-creds encrypt "
                  + "--name=\(SecretKeySource.credentialName) \(rotation.newKeyPath) /etc/outbox/credentials/\(SecretKeySource.credentialName).cred), "
                  + "restart the service, then delete the file")
        }
    }
}
