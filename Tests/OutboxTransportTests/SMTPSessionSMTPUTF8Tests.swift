import Foundation
import OutboxCore
import OutboxTestSupport
import Testing

@testable import OutboxTransport

/// The SMTPUTF8 gate against aiosmtpd with and without the extension: what the server
/// offered is learnt from the EHLO of the connection and remembered while it is reused.
@Suite struct SMTPSessionSMTPUTF8Tests {
    /// An ASCII message first (the connection is made, EHLO seen), then on the reused
    /// connection one to a UTF-8 address: libcurl adds SMTPUTF8 to MAIL FROM.
    @Test func offeredSMTPUTF8IsUsedOnAReusedConnection() throws {
        try withTestSMTPServer(["--smtputf8"]) { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            #expect(session.send(TestMail.message(1), envelope: try TestMail.envelope()).outcome.isSent)
            let report = session.send(TestMail.message(2), envelope: try TestMail.envelope(to: ["jüri@outbox.test"]))
            #expect(report.outcome.isSent && report.reusedConnection, "\(report.outcome)")
            let received = try server.messages()
            #expect(received.map { $0.mailOptions?.contains("SMTPUTF8") == true } == [false, true])
            #expect(received.last?.rcptTos == ["jüri@outbox.test"])
            #expect(try server.connectionCount() == 1)
        }
    }

    /// Without the extension, on a reused connection too: the UTF-8 recipient is refused
    /// by Outbox (553 5.6.7), the ASCII one still receives the (ASCII) message, and a
    /// message with UTF-8 in its headers is sent to nobody.
    @Test func missingSMTPUTF8RefusesOnlyWhatNeedsIt() throws {
        try withTestSMTPServer { server in
            let session = try SMTPSession(endpoint: TestMail.endpoint(server.port))
            #expect(session.send(TestMail.message(1), envelope: try TestMail.envelope()).outcome.isSent)
            let mixed = session.send(TestMail.message(2), envelope: try TestMail.envelope(to: ["jüri@outbox.test", "rcpt@outbox.test"]))
            #expect(mixed.outcome.isSent, "\(mixed.outcome)")
            #expect(mixed.recipients.map(\.address) == ["jüri@outbox.test", "rcpt@outbox.test"])
            #expect(mixed.recipients.map(\.disposition) == [.rejected, .accepted])
            let refusal = try #require(mixed.recipients.first?.reply)
            #expect(refusal.code == 553 && refusal.enhancedCode?.description == "5.6.7")
            #expect(refusal.text.hasPrefix("\(SMTPSession.smtputf8Unsupported): the address is UTF-8"))

            let utf8Header = Array("From: a@outbox.test\r\nTo: jüri@outbox.test\r\nSubject: x\r\n\r\nbody\r\n".utf8)
            let whole = session.send(utf8Header, envelope: try TestMail.envelope(to: ["rcpt@outbox.test"]))
            guard case .failed(let reply) = whole.outcome else {
                Issue.record("expected a failure, got \(whole.outcome)")
                return
            }
            #expect(reply.text.contains("the headers carry UTF-8 addresses") && whole.recipients.map(\.disposition) == [.rejected])
            #expect(try server.messages().map(\.rcptTos) == [["rcpt@outbox.test"], ["rcpt@outbox.test"]])
        }
    }

    @Test func headerBlockScanStopsAtTheBlankLine() {
        #expect(!SMTPSession.headerBlockHasUTF8(Array("To: a@b\r\n\r\nbödy\r\n".utf8)))
        #expect(SMTPSession.headerBlockHasUTF8(Array("To: ä@b\r\n\r\nbody\r\n".utf8)))
        #expect(SMTPSession.headerBlockHasUTF8(Array("X: 1\r\nTo: ä@b\r\n\r\n".utf8)))
    }
}
