import ArgumentParser
import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore

/// `outbox profile test OWNER [--to ADDRESS]`: the "Test email settings" button.
struct ProfileTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Try an owner's effective settings as delivery would, and with --to send a test message.",
        discussion: """
            Every mode that sends: smtp, system and reply-to (through the relay) and m365-oauth connect, negotiate TLS \
            and authenticate exactly as delivery does (an m365-oauth profile with its OAuth access token, refreshed when \
            due), then send NOOP; http posts a dry request (no message); maildir checks the directory. With --to, a short \
            test message is sent with the From, Reply-To and envelope delivery would use. Prints each step and, on failure, \
            one hint. Exit status 0 only when every step asked for worked.
            """)

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String
    @OptionGroup var options: ProfileTestOptions

    func validate() throws { try options.validate() }

    func run() throws {
        let passed = try database.withProfileStore { outbox in
            let layers = try outbox.profileLayers(owner: owner)
            return try options.test(owner: owner, own: layers.own, global: layers.global, tokens: outbox)
        }
        guard passed else { throw ExitCode.failure }
    }
}

/// The options of a settings test, shared by `profile test` and `profile set --test`.
struct ProfileTestOptions: ParsableArguments {
    @Option(help: "Also send a short test message to this address.") var to: String?
    @Option(help: ArgumentHelp("Configuration file with the system relay (default: /etc/outbox/outbox.conf when it exists).", valueName: "path"))
    var config: String?
    @Option(name: .customLong("timeout"), help: "Seconds to wait for the server at each step.") var timeout = 20

    func validate() throws {
        if let to { do { _ = try Mailbox.parse(to) } catch { throw ValidationError("--to: \(error.reason)") } }
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 600 seconds") }
    }

    /// Resolves the owner's profile from these layers and tests it; true when every step worked.
    func test(owner: String, own: ProfileFields?, global: ProfileFields?, tokens: any OAuthTokenStore) throws -> Bool {
        let routing = try SystemRelay.routing(config: config, withSecret: true, timeout: .seconds(timeout))
        let layers = ProfileLayers(own: own, global: global).readingSecretCredentials()
        if let problem = layers.secretProblem(owner: owner, system: routing.systemRelay) {
            switch problem.cause {
            case .credential: print("error: the password cannot be read: \(problem)")
            case .sealedSecret:
                print("error: the password cannot be opened: \(problem); run this as a user that can read the secrets key (see `outbox secrets status`)")
            }
            return false
        }
        let profile = ProfileResolver.resolve(owner: owner, own: layers.own, global: layers.global, system: routing.systemRelay)
        let tester = ProfileTester(profile: profile, configuration: routing, tokens: StoredOAuthTokens(database: tokens),
                                   recipient: try to.map { try Mailbox.parse($0) })
        return tester.run()
    }
}
