import Foundation
import OutboxTestSupport
import Testing
import OutboxCore
@testable import OutboxStore

/// `outbox serve` reads the `[bounces]` mailbox from outbox.conf: a real Dovecot on
/// loopback, the password as a systemd credential; each bounce is recorded, then deleted.
@Suite(.serialized) struct ServeMailboxPollTests {
    @Test func theDaemonRecordsBouncesFromTheMailboxThenDeletesThem() throws {
        let server = try DovecotServer()
        defer { server.stop() }
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        try MailboxPollTests.fill(server)

        let directory = (outbox.database.path as NSString).deletingLastPathComponent
        let credentials = directory + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try Data((DovecotServer.password + "\n").utf8).write(to: URL(fileURLWithPath: credentials + "/bounce-mailbox"))
        let config = directory + "/outbox.conf"
        try Data("""
            [bounces]
            mailbox-url = imap://127.0.0.1:\(server.imapPort)/INBOX
            mailbox-user = \(DovecotServer.user)
            mailbox-password-credential = bounce-mailbox
            poll-interval = 1s
            """.utf8).write(to: URL(fileURLWithPath: config))

        let errors = directory + "/serve.err"
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let serve = Process()
        serve.executableURL = OutboxBinary.executable
        serve.arguments = ["serve", "--config", config, "--db", outbox.database.path]
        var environment = ProcessInfo.processInfo.environment
        environment["CREDENTIALS_DIRECTORY"] = credentials
        serve.environment = environment
        serve.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        serve.standardOutput = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }

        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (try? server.messageCount()) != 0 { usleep(100_000) }
        #expect(try server.messageCount() == 0, "\((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
        #expect(try outbox.recipientStates(message) == ["nobody@example.org": "bounced"])
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 3)

        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
        let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(!log.contains(DovecotServer.password))
    }
}
