import Foundation
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTransport

/// The "Test email settings" button, for `outbox profile test` and `outbox profile set
/// --test`: tries a resolved profile through the same route builder delivery uses
/// (``DeliveryRoute/plan(_:configuration:)``), for every mode that sends, and prints each step
/// and, on failure, one hint. Passwords and tokens are never printed.
struct ProfileTester {
    let profile: ResolvedProfile
    /// The routing configuration (relay, EHLO name, sender rules, timeouts), as `outbox serve` has it.
    let configuration: DeliveryConfiguration
    /// Microsoft 365 access tokens (refreshed when due), as the daemon gets them.
    let tokens: (any AccessTokenSource)?
    /// Also send a short test message to this address.
    let recipient: Mailbox?
    /// Where each step's line goes (stdout by default; `outbox doctor` collects them).
    var output: @Sendable (String) -> Void = { print($0) }

    /// Runs the steps; true when every one worked.
    func run() -> Bool {
        output("1. profile: \(summary)")
        let route = DeliveryRoute.plan(profile, configuration: configuration)
        switch route {
        case .misconfigured(let reason):
            return fail("error: \(reason)")
        case .smtp(let planned):
            return testSMTP(planned)
        case .http(let endpoint):
            return testHTTP(endpoint)
        case .maildir(let directory):
            return testMaildir(directory)
        }
    }

    private var summary: String {
        let user = (profile.username ?? "").isEmpty ? "no authentication" : "user \(profile.username!)"
        switch profile.mode {
        case .http: return "mode http, POST to \(profile.url ?? "(no url)"), \(user)"
        case .maildir: return "mode maildir, directory \(profile.url ?? "(no url)")"
        default:
            let via = profile.mode.sendsViaRelay ? " (the system relay)" : ""
            return "mode \(profile.mode.rawValue)\(via), \(profile.host ?? "(no host)"):\(profile.port.map(String.init) ?? "-") "
                + "\(profile.tls.word), \(user)\(profile.mode.usesOAuth ? " (XOAUTH2)" : "")\(profile.verifyTLS ? "" : ", certificate NOT verified")"
        }
    }

    private func testSMTP(_ planned: SMTPRoute) -> Bool {
        let now = OutboxDatabase.milliseconds(Date())
        var route: AuthorisedSMTPRoute
        do { route = try planned.authorise(tokens: tokens, now: now) } catch {
            return fail("2. OAuth access token: FAILED (\(error.reason))")
        }
        if planned.usesOAuth { output("2. OAuth access token: ok (valid, refreshed when due)") }
        let step = planned.usesOAuth ? 3 : 2
        var check = connect(route)
        // As delivery does: a refused access token is refreshed once and tried again.
        if planned.usesOAuth, case .profileProblem(.authenticationRejected, _)? = check?.problem, let tokens,
            let fresh = try? planned.reauthorise(after: route, tokens: tokens, now: now)
        {
            output("   the server refused the access token; refreshed it and trying again")
            route = fresh
            check = connect(route)
        }
        guard let check else { return false }
        let path = check.localAddress.map { "from \($0) to \(check.remoteAddress ?? "?")" } ?? "not connected"
        if let problem = check.problem {
            output("\(step). connect, TLS, authenticate: FAILED (\(Self.describe(problem))\(check.transportMessage.map { "; \($0)" } ?? ""); \(path))")
            let transport = check.transportMessage.map { TransportResult(status: .other, code: -1, message: $0) }
            return hint(problem, transport: transport, localAddress: check.localAddress)
        }
        output("\(step). connect, TLS, authenticate: ok (\(path))")
        guard let recipient else { return true }
        guard let (bytes, identity) = testMessage(to: recipient, via: "\(route.endpoint.host):\(route.endpoint.port)") else { return false }
        let session: SMTPSession
        do { session = try SMTPSession(endpoint: route.endpoint, credentials: route.credentials) } catch {
            return fail("error: \(error.reason)")
        }
        let report: DeliveryReport
        do { report = session.send(bytes, envelope: try SMTPEnvelope(mailFrom: identity.envelopeSender, recipients: [recipient])) } catch {
            return fail("error: \(error)")
        }
        return sent(report, step: step + 1, localAddress: check.localAddress)
    }

    private func connect(_ route: AuthorisedSMTPRoute) -> ConnectionCheck? {
        do { return try SMTPSession(endpoint: route.endpoint, credentials: route.credentials).check() } catch {
            _ = fail("error: \(error.reason)")
            return nil
        }
    }

    private func testHTTP(_ endpoint: HTTPMailEndpoint) -> Bool {
        guard let recipient else {
            let result = HTTPMailSender.check(endpoint)
            if case .sent = result.outcome {
                output("2. dry request (POST without a message, X-Outbox-Dry-Run: 1): ok (HTTP \(result.httpStatus ?? 0): reachable, credentials not refused)")
                return true
            }
            output("2. dry request (POST without a message, X-Outbox-Dry-Run: 1): FAILED (\(Self.describe(result.outcome)))")
            return hint(result.outcome, transport: result.report.transport, localAddress: nil)
        }
        guard let (bytes, identity) = testMessage(to: recipient, via: endpoint.url) else { return false }
        let envelope = HTTPMailEnvelope(from: identity.from, to: [recipient], replyTo: identity.replyTo, subject: Self.subject)
        let result = HTTPMailSender.send(bytes, envelope: envelope, to: endpoint)
        return sent(result.report, step: 2, localAddress: nil)
    }

    private func testMaildir(_ directory: String) -> Bool {
        let maildir: MaildirTransport
        do { maildir = try MaildirTransport(directory: directory) } catch {
            return fail("2. Maildir \(directory): FAILED (\(error.reason))")
        }
        output("2. Maildir \(directory): ok")
        guard let recipient else { return true }
        guard let (bytes, identity) = testMessage(to: recipient, via: directory) else { return false }
        do {
            let name = try maildir.deliver(bytes, returnPath: identity.envelopeSender.address)
            output("3. write test message for \(recipient.address): ok (new/\(name))")
            return true
        } catch {
            return fail("3. write test message for \(recipient.address): FAILED (\(error.reason))")
        }
    }

    private static let subject = "Outbox test message"

    /// The test message as delivery would compose it: the profile's From, Reply-To and envelope sender.
    private func testMessage(to recipient: Mailbox, via: String) -> ([UInt8], SenderIdentity)? {
        let token = "test." + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let identity: SenderIdentity
        switch configuration.senderPolicy.identity(for: profile, token: token) {
        case .success(let value): identity = value
        case .failure(let problem): _ = fail("error: \(problem.reason)"); return nil
        }
        let domain = String(identity.from.address.split(separator: "@").last ?? "localhost")
        let message = MIMEMessage(
            from: identity.from, replyTo: identity.replyTo, to: [recipient], subject: Self.subject,
            textBody: "This is a test message from Outbox for owner \(profile.owner), sent through \(via) "
                + "(mode \(profile.mode.rawValue)). If you can read it, the settings work.\n",
            messageID: (try? MessageID.make(token: token, domain: domain)) ?? "\(token)@localhost", date: Date())
        return (MIMEComposer.compose(message), identity)
    }

    private func sent(_ report: DeliveryReport, step: Int, localAddress: String?) -> Bool {
        let address = recipient?.address ?? "?"
        if case .sent(let reply) = report.outcome, report.recipients.allSatisfy(\.accepted) {
            output("\(step). send test message to \(address): ok (\(reply.code) \(reply.text))")
            return true
        }
        output("\(step). send test message to \(address): FAILED (\(Self.describe(report.outcome)))")
        return hint(report.outcome, transport: report.transport, localAddress: localAddress)
    }

    private func hint(_ outcome: DeliveryOutcome, transport: TransportResult?, localAddress: String?) -> Bool {
        let text = TroubleshootingHint.hint(for: outcome, transport: transport, profile: profile, localAddress: localAddress)
            ?? (outcome.reply.map { "The server answered \($0.code) \($0.text)." } ?? "The attempt failed: try again later.")
        return fail("hint: \(text)")
    }

    static func describe(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .sent(let reply): return "\(reply.code) \(reply.text)"
        case .failed(let reply): return "refused: \(reply.code) \(reply.text)"
        case .deferred(let category, let reply): return "\(category.rawValue)\(reply.map { ": \($0.code) \($0.text)" } ?? "")"
        case .profileProblem(let problem, let reply): return "\(problem.rawValue)\(reply.map { ": \($0.code) \($0.text)" } ?? "")"
        case .unknown: return "unknown: the connection ended after the message was sent, before the server's reply"
        }
    }

    private func fail(_ line: String) -> Bool {
        output(line)
        return false
    }
}
