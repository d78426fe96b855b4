import Foundation
import OutboxTestSupport
import Testing

/// `outbox profile set --sent-copy` and `outbox serve --once` through the real binary,
/// against a real Dovecot and aiosmtpd sharing one login.
@Suite struct SentCopyCommandTests {
    @Test func aProfileWithSentCopyGetsEverySentMessageInItsFolder() throws {
        try withSentCopyProfile(host: "127.0.0.1") { workspace, set, smtp, dovecot in
            #expect(set.status == 0, "\(set.stderr)")
            #expect(try workspace.outbox.run(["profile", "set", "mari", "--sent-copy", ""]).status != 0)
            #expect(try workspace.outbox.run(["profile", "set", "mari", "--sent-copy-url", "imaps://imap.example/INBOX"]).stderr
                .contains("must be imaps://host[:port] without a folder"))

            let batch = try workspace.write("batch.json", #"{"owner": "mari", "subject": "Arve", "text": "Tere!", "messages": [{"to": ["juri@example.ee"]}, {"to": ["liga@example.lv"]}]}"#)
            #expect(try workspace.outbox.run(["enqueue", batch]).status == 0)
            let serve = try workspace.outbox.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
            #expect(serve.stdout.contains("sent 2"), "\(serve.stdout)\(serve.stderr)")
            let events = try workspace.outbox.run(["events", "--kind", "sent-copied"])
            #expect(events.stdout.components(separatedBy: "sent-copied").count - 1 == 2, "\(events.stdout)")
            #expect(try dovecot.messages(inFolder: "Sent").count == 2)
            #expect(try smtp.messages().count == 2)
        }
    }

    /// Gmail files a copy of mail sent through smtp.gmail.com in Sent itself: a Gmail
    /// profile in `smtp` mode with `--sent-copy` is warned at `profile set`, and the daemon
    /// appends nothing (a second copy would be a duplicate). The daemon runs in its own
    /// mount namespace whose /etc/hosts points smtp.gmail.com at aiosmtpd on loopback, so
    /// it sees the provider's host name; the folder is a real Dovecot's.
    @Test(.enabled(if: geteuid() == 0, "a private /etc/hosts needs a mount namespace (CI runs as root)"))
    func aGmailProfileGetsNoSecondCopyInSent() throws {
        try withSentCopyProfile(host: "smtp.gmail.com") { workspace, set, smtp, dovecot in
            #expect(set.status == 0, "\(set.stderr)")
            #expect(set.stderr.contains("Gmail files its own copy of mail sent through smtp.gmail.com in the Sent folder, so Outbox appends none"),
                    "\(set.stderr)")

            let batch = try workspace.write("batch.json", #"{"owner": "mari", "subject": "Arve", "text": "Tere!", "messages": [{"to": ["juri@example.ee"]}]}"#)
            #expect(try workspace.outbox.run(["enqueue", batch]).status == 0)
            let hosts = try workspace.write("hosts", "127.0.0.1 localhost smtp.gmail.com\n")
            let serve = try ToolProcess.run(["unshare", "--mount", "sh", "-c", #"mount --bind "$1" /etc/hosts && shift && exec "$@""#, "sh", hosts,
                                             OutboxProcess.executable.path, "serve", "--once", "--relay", "smtp://127.0.0.1:1", "--db", workspace.directory + "/outbox.db"])
            let said = String(decoding: serve.stdout, as: UTF8.self)
            #expect(serve.status == 0 && said.contains("sent 1"), "\(said)\(serve.stderr)")
            #expect(try smtp.messages().count == 1, "delivered through smtp.gmail.com, which is aiosmtpd here")
            #expect(try dovecot.messages(inFolder: "Sent").isEmpty, "Gmail's own copy is the only one")
            let events = try workspace.outbox.run(["events", "--kind", "sent-copied"])
            #expect(!events.stdout.contains("sent-copied"), "\(events.stdout)")
        }
    }

    /// A Dovecot with a Sent folder, an aiosmtpd taking Dovecot's login, a workspace, and
    /// `profile set mari` (its result) in smtp mode to `host` on aiosmtpd's port with
    /// `--sent-copy Sent` on that Dovecot.
    private func withSentCopyProfile(
        host: String, _ body: (Workspace, OutboxProcess.Result, TestSMTPServer, DovecotServer) throws -> Void
    ) throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.createFolder("Sent")
        try withTestSMTPServer(["--user", DovecotServer.user, "--password", DovecotServer.password]) { smtp in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            let set = try workspace.outbox.run([
                "profile", "set", "mari", "--mode", "smtp", "--host", host, "--port", String(smtp.port), "--tls", "none", "--allow-plaintext-auth",
                "--user", DovecotServer.user, "--password-file", try dovecot.passwordFile(), "--from", "mari@firma.example",
                "--sent-copy", "Sent", "--sent-copy-url", "imap://127.0.0.1:\(dovecot.imapPort)",
            ])
            try body(workspace, set, smtp, dovecot)
        }
    }
}
