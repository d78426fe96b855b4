import ArgumentParser
import Foundation
import OutboxDaemon
import OutboxStore

/// `outbox doctor`: checks an installation the way a careful administrator would and says,
/// one line per check, what is fine and what to fix.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check the installation: configuration, database, credentials, servers, service.",
        discussion: """
            One line per check: ok, warning or problem, with the fix in plain words. Checks: the configuration parses; \
            the database opens with this binary's schema (read only: nothing is created or migrated); the service user and \
            members of its group can read and write it; free disk space against the outbox's size; every credential the \
            configuration or a profile names is readable (in /etc/credstore, or $CREDENTIALS_DIRECTORY) and loaded by the \
            unit; the secrets key opens every sealed password (outbox secrets status); the relay and every route of a profile in use connect, negotiate TLS and authenticate (as outbox profile \
            test does; no mail is sent), all together within --timeout; held profiles with their reason and hint; the bounce \
            mailbox logs in (nothing is fetched or deleted); the VERP and event domains suit the sender modes in use; each \
            DKIM key's TXT record is published in DNS with that key ([dns] resolver, else /etc/resolv.conf); the \
            unit is installed, systemd-analyze verify is clean, the service runs (where systemd runs); and how long the \
            longest-due message has waited. Exit status: 0 all ok, 1 a warning, 2 a problem (64 usage error). Run it as \
            root to read /etc/credstore.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Configuration file (default: /etc/outbox/outbox.conf when it exists).", valueName: "path"))
    var config: String?
    @Flag(help: "Print the findings as one JSON document (for monitoring).") var json = false
    @Option(help: "Seconds all server logins together may take.") var timeout = 20
    @Option(help: "The user the service runs as; its group is the operators' group.") var serviceUser = "outbox"
    @Option(help: ArgumentHelp("The unit file to check (default: the installed outbox.service).", valueName: "path"))
    var unitFile: String?

    func validate() throws {
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 600 seconds") }
    }

    func run() throws {
        let findings = Self.examine(context())
        let worst = findings.map(\.status).max() ?? .ok
        if json {
            try Formatting.printJSON(Report(status: worst, checks: findings))
        } else {
            for finding in findings { print(finding.line) }
            let counts = Dictionary(grouping: findings, by: \.status).mapValues(\.count)
            print("doctor: \(counts[.ok, default: 0]) ok, \(counts[.warning, default: 0]) warning(s), \(counts[.problem, default: 0]) problem(s)")
        }
        if worst != .ok { throw ExitCode(worst.exitStatus) }
    }

    /// Every check, in the order an administrator would go through them.
    static func examine(_ context: DoctorContext) -> [DoctorFinding] {
        var findings = [configurationFinding(context)]
        let (databaseFindings, outbox) = DatabaseChecks.run(context)
        findings += databaseFindings
        if let outbox { findings.append(SecretsCheck.run(outbox)) }
        if let health = try? outbox?.queueHealth(now: context.now) { findings += QueueChecks.run(health, now: context.now) }
        let unit = ServiceChecks.unit(context)
        let credentials = CredentialChecks.run(context, database: outbox, unit: unit)
        findings += credentials.findings
        findings += RouteChecks.run(context, database: outbox, readableCredentials: credentials.readable)
        if let configuration = context.configuration { findings.append(SenderDomainCheck.run(configuration, database: outbox)) }
        findings += DKIMRecordChecks.run(context, database: outbox)
        findings += ServiceChecks.run(context, unit: unit)
        return findings
    }

    private static func configurationFinding(_ context: DoctorContext) -> DoctorFinding {
        guard let configuration = context.configuration else {
            return .problem("configuration", context.configurationError ?? "cannot be read",
                            fix: "correct the file at the line named (every key is described in outbox.conf.example)")
        }
        guard let file = configuration.sourceFile else {
            return .warning("configuration", "\(context.configFile) does not exist: built-in defaults (no relay, no bounce mailbox)",
                            fix: "copy /usr/share/doc/outbox/outbox.conf.example to \(context.configFile) and set [relay]")
        }
        return .ok("configuration", "\(file) parses" + (configuration.relay.map { "; relay \($0.host):\($0.port)" } ?? "; no [relay]"))
    }

    private func context() -> DoctorContext {
        let environment = DoctorContext.environment(ProcessInfo.processInfo.environment)
        // Where ProfileTester and the relay settings read credentials from, as the service would get them.
        setenv("CREDENTIALS_DIRECTORY", environment["CREDENTIALS_DIRECTORY"] ?? DoctorContext.credentialStore, 1)
        var configuration: OutboxConfiguration?
        var configurationError: String?
        do { configuration = try OutboxConfiguration.load(path: config, environment: environment) } catch { configurationError = "\(error)" }
        return DoctorContext(
            configPath: config, configuration: configuration, configurationError: configurationError,
            databasePath: database.path.map { DatabaseLocation.resolve(explicit: $0) } ?? configuration?.databasePath ?? database.resolvedPath,
            environment: environment, serviceUser: serviceUser, unitFile: unitFile, timeout: .seconds(timeout), now: nowMilliseconds())
    }

    /// `--json`: the worst status and every finding.
    struct Report: Encodable {
        let status: DoctorFinding.Status
        let checks: [DoctorFinding]
    }
}
