import OutboxTestSupport
import Foundation
import OutboxCore
import Testing

@testable import OutboxTransport

/// STARTTLS and implicit TLS with certificate verification on, against aiosmtpd.
@Suite struct SMTPSessionTLSTests {
    @Test func startTLSWithVerificationAndAuth() throws {
        try withTestSMTPServer(["--user", "bob", "--password", "s3cret-pw"], tls: "starttls") { server in
            let session = try SMTPSession(
                endpoint: TestMail.endpoint(server.port, tls: .startTLS, caFile: server.certificatePath),
                credentials: .password(user: "bob", password: "s3cret-pw", mechanism: .plain))
            let reports = try (1...3).map { try session.send(TestMail.message($0), envelope: TestMail.envelope()) }
            for report in reports {
                guard case .sent = report.outcome else {
                    Issue.record("not sent: \(report.outcome) \(report.transport)")
                    return
                }
            }
            #expect(try server.messages().map(\.user) == ["bob", "bob", "bob"])
            #expect(reports.map(\.reusedConnection) == [false, true, true], "\(reports.map(\.replies))")
            #expect(try server.events().filter { $0.event == "auth" }.map(\.mechanism) == ["PLAIN"])
            #expect(try server.connectionCount() == 1)
        }
    }

    @Test func implicitTLSWithVerificationAndLogin() throws {
        try withTestSMTPServer(["--user", "bob", "--password", "s3cret-pw"], tls: "implicit") { server in
            let session = try SMTPSession(
                endpoint: TestMail.endpoint(server.port, tls: .implicitTLS, caFile: server.certificatePath),
                credentials: .password(user: "bob", password: "s3cret-pw", mechanism: .login))
            let reports = try (1...2).map { try session.send(TestMail.message($0), envelope: TestMail.envelope()) }
            #expect(reports.allSatisfy { if case .sent = $0.outcome { true } else { false } }, "\(reports.map(\.outcome))")
            #expect(try server.messages().compactMap(\.bytes) == [TestMail.message(1), TestMail.message(2)])
            #expect(try server.events().filter { $0.event == "auth" }.map(\.mechanism) == ["LOGIN"])
            #expect(try server.connectionCount() == 1)
        }
    }

    @Test(arguments: [("starttls", SMTPEndpoint.TLSMode.startTLS), ("implicit", .implicitTLS)])
    func unverifiableCertificateIsDeferredAsTLS(serverMode: String, mode: SMTPEndpoint.TLSMode) throws {
        try withTestSMTPServer(tls: serverMode) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port, tls: mode))  // no CA file
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(report.outcome == .deferred(.tls, nil))
            #expect(report.transport.status == .tlsFailed)
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func startTLSNotOfferedIsAProfileProblem() throws {
        try withTestSMTPServer { server in  // plain server: no STARTTLS in EHLO
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port, tls: .startTLS))
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(report.outcome == .profileProblem(.tlsNotOffered, nil))
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func missingCAFileIsAProfileProblem() throws {
        try withTestSMTPServer(tls: "implicit") { server in
            let endpoint = TestMail.endpoint(server.port, tls: .implicitTLS, caFile: server.directory.appendingPathComponent("missing.pem").path)
            let report = try SMTPSession(endpoint: endpoint).send(TestMail.message(), envelope: TestMail.envelope())
            #expect(report.outcome == .profileProblem(.configuration, nil))
        }
    }
}
