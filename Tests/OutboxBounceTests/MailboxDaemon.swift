import OutboxTestSupport
import Foundation

/// `outbox serve` polling a test Dovecot's mailbox from outbox.conf, its password given
/// as a systemd credential, stderr kept in a file.
struct MailboxDaemon {
    let daemon: ServeDaemon

    /// Writes the credential and `[bounces]` (mailbox keys plus `extra` lines), then starts serving.
    init(server: DovecotServer, directory: String, database: String, extra: String = "") throws {
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
            \(extra)
            """.utf8).write(to: URL(fileURLWithPath: config))
        daemon = try ServeDaemon(database: database, arguments: ["--config", config], logPath: directory + "/serve.err",
                                 environment: ["CREDENTIALS_DIRECTORY": credentials])
    }

    /// Waits (at most `seconds`) until the daemon has taken every message out of `server`'s mailbox.
    func waitUntilEmptied(_ server: DovecotServer, seconds: TimeInterval = 30) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, (try? server.messageCount()) != 0 { usleep(100_000) }
    }

    /// ``waitUntilEmptied(_:seconds:)`` sleeping the task, not its thread, between looks.
    func waitUntilEmptied(_ server: DovecotServer, seconds: TimeInterval = 30) async {
        _ = await eventually(within: seconds) { (try? server.messageCount()) == 0 }
    }

    /// What the daemon wrote to stderr so far.
    var log: String { daemon.log }

    /// SIGTERM, then waits; returns the exit status.
    func stop() -> Int32 { daemon.stop() }

    /// SIGKILL if a failed expectation left it running.
    func killIfRunning() { daemon.killIfRunning() }
}
