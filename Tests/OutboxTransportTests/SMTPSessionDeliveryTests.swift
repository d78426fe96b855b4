import OutboxTestSupport
import Foundation
import OutboxCore
import Testing

@testable import OutboxTransport

/// Delivery over plain SMTP against a real aiosmtpd server; assertions are on what the
/// server received as well as on the reports.
@Suite struct SMTPSessionDeliveryTests {
    @Test func severalMessagesGoOverOneConnection() throws {
        try withTestSMTPServer { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let messages = (1...5).map { TestMail.message($0) }
            let reports = try messages.map { try session.send($0, envelope: TestMail.envelope()) }
            for report in reports {
                guard case .sent(let reply) = report.outcome else {
                    Issue.record("not sent: \(report.outcome)")
                    continue
                }
                #expect(reply.code == 250)
                #expect(report.recipients.map(\.disposition) == [.accepted])
            }
            #expect(reports.map(\.reusedConnection) == [false, true, true, true, true])
            let received = try server.messages()
            #expect(received.count == 5)
            #expect(received.compactMap(\.bytes) == messages)  // dot-stuffing undone intact
            #expect(received.allSatisfy { $0.mailFrom == "bounces@outbox.test" && $0.rcptTos == ["rcpt@outbox.test"] })
            #expect(received.allSatisfy { $0.helo == "client.outbox.test" && $0.connection == 1 })
            #expect(try server.connectionCount() == 1)
        }
    }

    @Test func connectionClosedByTheServerWhileIdleIsReplaced() throws {
        try withTestSMTPServer(["--idle-timeout", "0.5"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let first = session.send(TestMail.message(1), envelope: try TestMail.envelope())
            Thread.sleep(forTimeInterval: 1.2)  // the server closes the idle connection
            let second = session.send(TestMail.message(2), envelope: try TestMail.envelope())
            #expect([first, second].map(\.outcome.isSent) == [true, true], "\(second.outcome)")
            #expect(!second.reusedConnection)
            #expect(try server.messages().compactMap(\.bytes) == [TestMail.message(1), TestMail.message(2)])
            #expect(try server.connectionCount() == 2)
        }
    }

    @Test func mixedRecipientsAreReportedOneByOne() throws {
        try withTestSMTPServer([
            "--rcpt-reply", "gone@outbox.test=550 5.1.1 No such user",
            "--rcpt-reply", "busy@outbox.test=451 4.2.0 Mailbox busy, try later",
        ]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let envelope = try TestMail.envelope(to: ["gone@outbox.test", "busy@outbox.test", "ok@outbox.test"])
            let report = session.send(TestMail.message(), envelope: envelope)
            guard case .sent = report.outcome else {
                Issue.record("not sent: \(report.outcome)")
                return
            }
            #expect(report.recipients.map(\.address) == ["gone@outbox.test", "busy@outbox.test", "ok@outbox.test"])
            #expect(report.recipients.map(\.disposition) == [.rejected, .deferred, .accepted])
            #expect(report.recipients.map(\.accepted) == [false, false, true])
            #expect(report.recipients[0].reply?.code == 550)
            #expect(report.recipients[0].reply?.enhancedCode == EnhancedStatusCode(statusClass: 5, subject: 1, detail: 1))
            #expect(report.recipients[1].reply?.code == 451)
            #expect(report.recipients[1].reply?.enhancedCode?.description == "4.2.0")
            #expect(report.recipients[1].reply?.text == "Mailbox busy, try later")
            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.rcptTos == ["ok@outbox.test"])
        }
    }

    @Test func everyRecipientRefusedFailsAndTheSessionCarriesOn() throws {
        try withTestSMTPServer([
            "--rcpt-reply", "gone@outbox.test=550 5.1.1 No such user",
            "--rcpt-reply", "also-gone@outbox.test=553 5.1.3 Bad address",
        ]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let refused = session.send(TestMail.message(1), envelope: try TestMail.envelope(to: ["gone@outbox.test", "also-gone@outbox.test"]))
            #expect(refused.outcome == .failed(SMTPReply(code: 550, enhancedCode: EnhancedStatusCode("5.1.1"), lines: ["No such user"])))
            #expect(refused.recipients.map(\.disposition) == [.rejected, .rejected])
            let next = session.send(TestMail.message(2), envelope: try TestMail.envelope())
            guard case .sent = next.outcome else {
                Issue.record("next message not sent: \(next.outcome)")
                return
            }
            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.bytes == TestMail.message(2))
        }
    }

    @Test func temporaryRefusalOfTheSenderIsDeferred() throws {
        try withTestSMTPServer(["--mail-reply", "451 4.3.0 Queue full"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(report.outcome == .deferred(.temporaryReply, SMTPReply(code: 451, enhancedCode: EnhancedStatusCode("4.3.0"), lines: ["Queue full"])))
            #expect(report.recipients.map(\.disposition) == [.deferred])
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func connectionDroppedAfterTheFinalDotIsUnknownNotDeferred() throws {
        try withTestSMTPServer(["--drop-in-data"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(report.outcome == .unknown)
            #expect(report.transport.status == .connectionLost, "\(report.transport)")
            #expect(report.replies.last?.code == 354)
            #expect(try server.messages().map(\.outcome) == ["dropped"])  // the server had the whole message
            #expect(try server.connectionCount() == 1)  // and it was not tried again on a fresh connection
        }
    }

    @Test func connectionDroppedBeforeTheBodyIsDeferred() throws {
        try withTestSMTPServer(["--drop-at-data"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(report.outcome == .deferred(.connectionLost, nil))
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func serverSilentAfterTheFinalDotLeavesTheOutcomeUnknownInBoundedTime() throws {
        try withTestSMTPServer(["--stall-in-data", "60"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port, replyTimeout: .seconds(1)))
            let clock = ContinuousClock()
            let start = clock.now
            let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
            let elapsed = clock.now - start
            #expect(report.outcome == .unknown)  // silent after the final ".": it may have been accepted
            #expect(report.transport.status == .timedOut)
            #expect(elapsed < .seconds(6), "took \(elapsed)")
            #expect(try server.messages().map(\.outcome) == ["stalled"])
        }
    }

    @Test func refusedConnectionIsDeferred() throws {
        let closedPort = try withTestSMTPServer { $0.port }  // stopped: nothing listens there now
        let session = try SMTPSession(endpoint: TestMail.endpoint(closedPort))
        let report = session.send(TestMail.message(), envelope: try TestMail.envelope())
        #expect(report.outcome == .deferred(.connectionRefused, nil))
        #expect(report.replies.isEmpty)
    }

    @Test func sourceAddressIsUsedAndAnUnusableOneIsAProfileProblem() throws {
        try withTestSMTPServer { server in
            var endpoint = TestMail.endpoint(server.port)
            endpoint.sourceAddress = "127.0.0.1"
            let bound = try SMTPSession(endpoint: endpoint)
            guard case .sent = bound.send(TestMail.message(), envelope: try TestMail.envelope()).outcome else {
                Issue.record("not sent from 127.0.0.1")
                return
            }
            endpoint.sourceAddress = "192.0.2.1"  // TEST-NET-1: not an address of this host
            let unbound = try SMTPSession(endpoint: endpoint)
            let report = unbound.send(TestMail.message(), envelope: try TestMail.envelope())
            #expect(report.outcome == .profileProblem(.configuration, nil))
            #expect(try server.messages().count == 1)
        }
    }

    @Test func unusableEndpointsAreRefusedBeforeConnecting() throws {
        #expect(throws: SMTPSessionError.self) {
            try SMTPSession(endpoint: SMTPEndpoint(host: "evil/host?x", port: 25, tls: .none))
        }
        #expect(throws: SMTPSessionError.self) {
            try SMTPSession(endpoint: SMTPEndpoint(host: "127.0.0.1", port: 25, tls: .none, ehloName: "a b\r\nRSET"))
        }
        #expect(throws: SMTPSessionError.self) {
            try SMTPSession(endpoint: SMTPEndpoint(host: "127.0.0.1", port: 25, tls: .none, sourceAddress: "if!eth0"))
        }
        #expect(throws: SMTPSessionError.self) { try SMTPEnvelope(mailFrom: nil, recipients: []) }
    }
}

extension DeliveryOutcome {
    var isSent: Bool {
        if case .sent = self { true } else { false }
    }
}
