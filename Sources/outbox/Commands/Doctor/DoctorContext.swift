import Foundation
import OutboxDaemon
import OutboxStore

/// What every check of `outbox doctor` works from: the configuration as the daemon would
/// read it, the database path, where credentials are, the service's user and unit.
struct DoctorContext: Sendable {
    /// `--config`, nil for the default file.
    let configPath: String?
    /// The configuration, or nil when it does not parse (then defaults stand in).
    let configuration: OutboxConfiguration?
    /// Why the configuration does not parse (file, line, reason).
    let configurationError: String?
    let databasePath: String
    /// The process environment with `CREDENTIALS_DIRECTORY` pointing at systemd's credential
    /// store when doctor does not run under the service itself.
    let environment: [String: String]
    /// The user the service runs as; its primary group is the operators' group.
    let serviceUser: String
    /// The unit file to check; nil: the installed `outbox.service`, if any.
    let unitFile: String?
    /// The total time the network checks may take.
    let timeout: Duration
    /// Unix milliseconds.
    let now: Int64

    /// systemd's credential store, where `LoadCredential=NAME` finds `NAME`.
    static let credentialStore = "/etc/credstore"

    /// Where the credentials are read from.
    var credentialsDirectory: String { environment["CREDENTIALS_DIRECTORY"] ?? Self.credentialStore }

    /// The configuration's file, as shown to the operator.
    var configFile: String { configPath ?? OutboxConfiguration.defaultPath }

    /// Each network step's own timeout: a share of the total that still leaves a login time to answer.
    var stepTimeout: Duration { max(.seconds(1), timeout / 3) }

    static func environment(_ base: [String: String]) -> [String: String] {
        var environment = base
        if (environment["CREDENTIALS_DIRECTORY"] ?? "").isEmpty { environment["CREDENTIALS_DIRECTORY"] = credentialStore }
        return environment
    }

    /// The owners whose mail goes out: those with a stored profile or with messages waiting.
    static func ownersInUse(_ database: OutboxDatabase) throws -> [String] {
        Set(try database.profiles().map(\.owner)).union(try database.queueHealth(now: 0).activeOwners).sorted()
    }
}
