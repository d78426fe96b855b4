import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTransport
import Synchronization

/// The servers the daemon talks to: the system relay and every route a profile in use
/// resolves to (what `outbox profile test` does: connect, TLS, authenticate, NOOP — no mail
/// is sent), and the bounce mailbox's login. All at once, within the context's time bound.
enum RouteChecks {
    /// One route to try, with the owners that send through it.
    private struct Route {
        var name: String
        var profile: ResolvedProfile
        var owners: [String]
    }

    static func run(_ context: DoctorContext, database: OutboxDatabase?, readableCredentials: Set<String>) -> [DoctorFinding] {
        guard let configuration = context.configuration else { return [] }
        var findings: [DoctorFinding] = []
        var jobs: [(name: String, job: @Sendable () -> DoctorFinding)] = []

        let relayCredential = configuration.relay?.passwordCredential
        let relayUsable = relayCredential.map(readableCredentials.contains) ?? true
        let routing: DeliveryConfiguration
        do {
            routing = try SystemRelay.routing(config: context.configPath, withSecret: relayUsable, timeout: context.stepTimeout)
        } catch {
            return [.problem("relay", "the routing configuration cannot be built: \(error)", fix: "correct outbox.conf as the message says")]
        }
        for route in (try? routes(database: database, routing: routing, hasRelay: configuration.relay != nil)) ?? [] {
            if route.profile.mode.sendsViaRelay, !relayUsable {
                findings.append(.warning(route.name, "not tested: the relay's password credential \(relayCredential ?? "") cannot be read (see above)",
                                         fix: "store the credential, then run outbox doctor again"))
                continue
            }
            let tokens = database.map { StoredOAuthTokens(database: $0) }
            jobs.append((route.name, { test(route, routing: routing, tokens: tokens) }))
        }
        if let mailbox = mailboxJob(context, configuration: configuration, database: database, readableCredentials: readableCredentials,
                                    findings: &findings) {
            jobs.append(("bounce mailbox", mailbox))
        }
        let results = BoundedWork.run(jobs.map(\.job), within: context.timeout)
        for (index, result) in results.enumerated() {
            findings.append(result ?? .problem(jobs[index].name, "no answer within \(context.timeout) (the time doctor allows for every login together)",
                                               fix: "check the server and the network from this machine (a firewall dropping packets looks like this)"))
        }
        return findings
    }

    /// The relay (when configured) and each distinct route of the owners with stored profiles
    /// or waiting messages; owners sharing a route are tried once.
    private static func routes(database: OutboxDatabase?, routing: DeliveryConfiguration, hasRelay: Bool) throws -> [Route] {
        var routes: [Route] = []
        if hasRelay {
            // A From only to plan the route: no message is sent.
            var sender = ProfileFields()
            sender.fromAddress = "postmaster@localhost"
            routes.append(Route(name: "relay", profile: ProfileResolver.resolve(owner: "(relay)", own: sender, global: nil, system: routing.systemRelay), owners: []))
        }
        guard let database else { return routes }
        for owner in try DoctorContext.ownersInUse(database) {
            let layers = try database.profileLayers(owner: owner)
            let profile = ProfileResolver.resolve(owner: owner, own: layers.own, global: layers.global, system: routing.systemRelay)
            if let index = routes.firstIndex(where: { sameRoute($0.profile, profile) }) {
                routes[index].owners.append(owner)
            } else {
                routes.append(Route(name: "profile \(owner)", profile: profile, owners: [owner]))
            }
        }
        return routes
    }

    private static func sameRoute(_ a: ResolvedProfile, _ b: ResolvedProfile) -> Bool {
        a.mode == b.mode && a.host == b.host && a.port == b.port && a.tls == b.tls && a.username == b.username
            && a.secret == b.secret && a.url == b.url && a.verifyTLS == b.verifyTLS && a.caFile == b.caFile
            && a.bindAddress == b.bindAddress
    }

    /// `outbox profile test` without a test message, its lines collected into one finding.
    private static func test(_ route: Route, routing: DeliveryConfiguration, tokens: (any AccessTokenSource)?) -> DoctorFinding {
        let lines = Lines()
        var tester = ProfileTester(profile: route.profile, configuration: routing, tokens: tokens, recipient: nil)
        tester.output = { line in lines.append(line) }
        let passed = tester.run()
        let said = lines.all.map { $0.replacingOccurrences(of: #"^\s*\d+\. "#, with: "", options: .regularExpression) }
        let summary = said.first?.replacingOccurrences(of: "profile: ", with: "") ?? ""
        let others = route.owners.count > 1 || (route.name == "relay" && !route.owners.isEmpty)
            ? " (used by \(route.owners.joined(separator: ", ")))" : ""
        if passed { return .ok(route.name, "\(summary); \(said.dropFirst().joined(separator: "; "))\(others)") }
        let hint = said.first { $0.hasPrefix("hint: ") }.map { String($0.dropFirst(6)) }
        let failure = said.dropFirst().filter { !$0.hasPrefix("hint: ") }.joined(separator: "; ")
        return .problem(route.name, "\(summary); \(failure)\(others)",
                        fix: hint ?? (route.name == "relay" ? "correct [relay] in outbox.conf" : "correct the profile with outbox profile set \(route.owners.first ?? "")"))
    }

    /// Logs in to the `[bounces]` mailbox and lists it (nothing is fetched or deleted).
    private static func mailboxJob(_ context: DoctorContext, configuration: OutboxConfiguration, database: OutboxDatabase?,
                                   readableCredentials: Set<String>, findings: inout [DoctorFinding]) -> (@Sendable () -> DoctorFinding)? {
        guard configuration.bounces.mailboxURL != nil else { return nil }
        if let name = configuration.bounces.mailboxPasswordCredential, !readableCredentials.contains(name) {
            findings.append(.warning("bounce mailbox", "not tested: its password credential \(name) cannot be read (see above)",
                                     fix: "store the credential, then run outbox doctor again"))
            return nil
        }
        let settings: BounceMailboxSettings
        do {
            guard let made = try BounceMailboxSettings.make(configuration, environment: context.environment) else { return nil }
            settings = made
        } catch {
            findings.append(.problem("bounce mailbox", "\(error)", fix: "correct [bounces] in outbox.conf"))
            return nil
        }
        var endpoint = settings.endpoint
        let oauthOwner = configuration.bounces.mailboxAuth.oauthOwner
        if let oauthOwner {
            guard let database else {
                findings.append(.warning("bounce mailbox", "not tested: it logs in with the OAuth tokens of owner \(oauthOwner), and the database cannot be read",
                                         fix: "run outbox doctor where the database is readable"))
                return nil
            }
            endpoint = BounceMailboxPoller.authorised(endpoint, auth: configuration.bounces.mailboxAuth, database: database)
        }
        let login = oauthOwner.map { "the OAuth sign-in of owner \($0) (outbox profile oauth \($0))" }
            ?? "the password in \(DoctorContext.credentialStore)/\(configuration.bounces.mailboxPasswordCredential ?? "bounce-password")"
        let seconds = Double(context.stepTimeout.components.seconds)
        endpoint.connectTimeout = seconds
        endpoint.transferTimeout = seconds
        return { [endpoint, login] in
            do {
                let result = try MailboxDrain.run(endpoint, limit: 0) { _, _ in }
                return .ok("bounce mailbox", "logged in to \(endpoint.displayURL) as \(endpoint.username): \(result.listed) message(s) waiting")
            } catch {
                return .problem("bounce mailbox", "\(endpoint.displayURL) as \(endpoint.username): \((error as? OutboxTransport.MailboxError)?.reason ?? "\(error)")",
                                fix: "check [bounces] mailbox-url and mailbox-user, and \(login)")
            }
        }
    }
}

/// Lines collected from a check running on another thread.
private final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
