import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore
import OutboxTransport

/// `outbox profile test OWNER [--to ADDRESS]`: the "Test email settings" button.
struct ProfileTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Try an owner's effective settings: connect, TLS, authenticate, and with --to send a test message.",
        discussion: "Prints each step and, on failure, one hint. Exit status 0 only when every step asked for worked.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The owner.") var owner: String
    @Option(help: "Also send a short test message to this address.") var to: String?
    @Option(help: ArgumentHelp("Configuration file with the system relay (default: /etc/outbox/outbox.conf when it exists).", valueName: "path"))
    var config: String?
    @Option(name: .customLong("timeout"), help: "Seconds to wait for the server at each step.") var timeout = 20

    func validate() throws {
        if let to { do { _ = try Mailbox.parse(to) } catch { throw ValidationError("--to: \(error.reason)") } }
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 600 seconds") }
    }

    func run() throws {
        let outbox = try database.open()
        let layers = try outbox.profileLayers(owner: owner)
        let system = try SystemRelay.fields(config: config, withSecret: true)
        let profile = ProfileResolver.resolve(owner: owner, own: layers.own, global: layers.global, system: system)
        let user = (profile.username ?? "").isEmpty ? "no authentication" : "user \(profile.username!)"
        print("1. profile: mode \(profile.mode.rawValue), \(profile.host ?? "(no host)"):\(profile.port.map(String.init) ?? "-") "
              + "\(profile.tls.rawValue), \(user)\(profile.verifyTLS ? "" : ", certificate NOT verified")")
        if let problem = ProfileLayers(own: layers.own, global: layers.global).unavailableSecret(owner: owner, system: system) {
            return try fail("the password cannot be opened: \(problem); run this as a user that can read the secrets key (see `outbox secrets status`)")
        }
        guard [.smtp, .system, .m365OAuth].contains(profile.mode) else {
            return try fail("mode \(profile.mode.rawValue) has no SMTP server to test; this command tests SMTP profiles")
        }
        guard let endpoint = ProfileEndpoint.endpoint(for: profile, connectTimeout: .seconds(timeout), replyTimeout: .seconds(timeout)) else {
            return try fail(profile.mode == .system
                ? "no system relay is configured for owner \(owner) ([relay] in outbox.conf or OUTBOX_RELAY, or give the owner a profile)"
                : "the profile has no host: outbox profile set \(owner) --host … (or --preset)")
        }
        let session: SMTPSession
        do {
            session = try SMTPSession(endpoint: endpoint, credentials: ProfileEndpoint.credentials(for: profile))
        } catch {
            return try fail(error.reason)
        }

        let check = session.check()
        let route = check.localAddress.map { "from \($0) to \(check.remoteAddress ?? "?")" } ?? "not connected"
        if let problem = check.problem {
            print("2. connect, TLS, authenticate: FAILED (\(describe(problem))\(check.transportMessage.map { "; \($0)" } ?? ""); \(route))")
            return try fail(TroubleshootingHint.hint(for: problem, profile: profile, localAddress: check.localAddress), isHint: true)
        }
        print("2. connect, TLS, authenticate: ok (\(route))")

        guard let to else { return }
        guard let fromText = profile.fromAddress, let from = try? Mailbox(address: fromText, displayName: profile.fromName) else {
            return try fail("the profile has no from address: outbox profile set \(owner) --from ADDRESS")
        }
        let recipient = try Mailbox.parse(to)
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let domain = String(from.address.split(separator: "@").last ?? "localhost")
        let message = MIMEMessage(
            from: from, replyTo: (profile.replyTo).flatMap { try? Mailbox.parse($0) }.map { [$0] } ?? [], to: [recipient],
            subject: "Outbox test message", textBody: "This is a test message from Outbox for owner \(owner), sent through "
                + "\(endpoint.host):\(endpoint.port). If you can read it, the settings work.\n",
            messageID: (try? MessageID.make(token: "test." + token, domain: domain)) ?? "test.\(token)@localhost", date: Date())
        let report = session.send(MIMEComposer.compose(message), envelope: try SMTPEnvelope(mailFrom: from, recipients: [recipient]))
        if case .sent(let reply) = report.outcome, report.recipients.allSatisfy(\.accepted) {
            print("3. send test message to \(recipient.address): ok (\(reply.code) \(reply.text))")
            return
        }
        print("3. send test message to \(recipient.address): FAILED (\(describe(report.outcome)))")
        try fail(TroubleshootingHint.hint(for: report.outcome, profile: profile, localAddress: check.localAddress), isHint: true)
    }

    private func describe(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .sent(let reply): return "\(reply.code) \(reply.text)"
        case .failed(let reply): return "refused: \(reply.code) \(reply.text)"
        case .deferred(let category, let reply): return "\(category.rawValue)\(reply.map { ": \($0.code) \($0.text)" } ?? "")"
        case .profileProblem(let problem, let reply): return "\(problem.rawValue)\(reply.map { ": \($0.code) \($0.text)" } ?? "")"
        }
    }

    private func fail(_ text: String, isHint: Bool = false) throws {
        print(isHint ? "hint: \(text)" : "error: \(text)")
        throw ExitCode.failure
    }
}
