import OutboxTestSupport
import Foundation
import OutboxCore
import Testing

@testable import OutboxTransport

/// Authentication outcomes against aiosmtpd, and that secrets never leak into reports.
@Suite struct SMTPSessionAuthTests {
    static let password = "Tr0ub4dor&3-secret"
    static let token = "ya29.bearer-token-SECRET"

    @Test func wrongPasswordIsAProfileProblem() throws {
        try withTestSMTPServer(["--user", "bob", "--password", "right-one"]) { server in
            let credentials = SMTPCredentials.password(user: "bob", password: Self.password)
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port), credentials: credentials)
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            guard case .profileProblem(.authenticationRejected, let reply) = report.outcome else {
                Issue.record("unexpected outcome \(report.outcome)")
                return
            }
            #expect(reply?.code == 535)
            #expect(reply?.enhancedCode?.description == "5.7.8")
            #expect(try server.messages().isEmpty)
            #expect(try server.events().filter { $0.event == "auth" }.map(\.success) == [false])
            expectNoSecret(Self.password, in: report, credentials)
        }
    }

    @Test func rightPasswordSendsAndLeaksNothing() throws {
        try withTestSMTPServer(["--user", "bob", "--password", Self.password]) { server in
            let credentials = SMTPCredentials.password(user: "bob", password: Self.password)
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port), credentials: credentials)
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            guard case .sent = report.outcome else {
                Issue.record("not sent: \(report.outcome)")
                return
            }
            #expect(try server.messages().map(\.user) == ["bob"])
            expectNoSecret(Self.password, in: report, credentials)
        }
    }

    @Test func xoauth2BearerTokenIsUsed() throws {
        try withTestSMTPServer(["--user", "bob@outbox.test", "--token", Self.token]) { server in
            let credentials = SMTPCredentials.oauth2(user: "bob@outbox.test", bearerToken: Self.token)
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port), credentials: credentials)
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            guard case .sent = report.outcome else {
                Issue.record("not sent: \(report.outcome)")
                return
            }
            let auth = try server.events().filter { $0.event == "auth" }
            #expect(auth.map(\.mechanism) == ["XOAUTH2"])
            #expect(auth.map(\.success) == [true])
            expectNoSecret(Self.token, in: report, credentials)
        }
    }

    @Test func authThatNeverCompletesIsAProfileProblem() throws {
        try withTestSMTPServer(["--user", "bob@outbox.test", "--auth-loop"]) { server in
            let credentials = SMTPCredentials.oauth2(user: "bob@outbox.test", bearerToken: Self.token)
            let session = try SMTPSession(
                endpoint: TestMail.endpoint(server.port, replyTimeout: .seconds(2)), credentials: credentials)
            let clock = ContinuousClock()
            let start = clock.now
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(clock.now - start < .seconds(8))
            guard case .profileProblem(.authenticationIncomplete, let reply) = report.outcome else {
                Issue.record("unexpected outcome \(report.outcome) \(report.replies)")
                return
            }
            #expect(reply?.code == 334)
            #expect(try server.messages().isEmpty)
            expectNoSecret(Self.token, in: report, credentials)
        }
    }

    @Test func missingCredentialsWhereRequiredIsAProfileProblem() throws {
        try withTestSMTPServer(["--user", "bob", "--password", "pw", "--auth-required"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port), credentials: .password(user: "", password: "ignored"))
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            guard case .profileProblem(.authenticationRequired, let reply) = report.outcome else {
                Issue.record("unexpected outcome \(report.outcome)")
                return
            }
            #expect(reply?.code == 530)
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func credentialsNeverShowTheirSecret() {
        let credentials = SMTPCredentials.password(user: "bob", password: Self.password)
        expectNoSecret(Self.password, in: nil, credentials)
        #expect("\(credentials)".contains("bob"))
        let oauth = SMTPCredentials.oauth2(user: "bob", bearerToken: Self.token)
        expectNoSecret(Self.token, in: nil, oauth)
        #expect(SMTPCredentials.password(user: "", password: Self.password).isNone)
    }
}

/// Checks `secret` is in none of the descriptions, reflections and dumps of the values.
func expectNoSecret(_ secret: String, in report: DeliveryReport?, _ credentials: SMTPCredentials, sourceLocation: SourceLocation = #_sourceLocation) {
    var texts = [String(describing: credentials), String(reflecting: credentials)]
    var dumped = ""
    dump(credentials, to: &dumped)
    texts.append(dumped)
    if let report {
        texts += [String(describing: report), String(reflecting: report), report.transport.message]
        var dumpedReport = ""
        dump(report, to: &dumpedReport)
        texts.append(dumpedReport)
    }
    let encoded = Data(secret.utf8).base64EncodedString()
    for text in texts {
        #expect(!text.contains(secret), "secret found in \(text)", sourceLocation: sourceLocation)
        #expect(!text.contains(encoded), "base64 secret found", sourceLocation: sourceLocation)
    }
}
