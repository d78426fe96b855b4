import Foundation
import OutboxTestSupport
import Testing

/// `outbox profile set --sent-copy` and `outbox serve --once` through the real binary,
/// against a real Dovecot and aiosmtpd sharing one login.
@Suite struct SentCopyCommandTests {
    @Test func aProfileWithSentCopyGetsEverySentMessageInItsFolder() throws {
        let dovecot = try DovecotServer()
        defer { dovecot.stop() }
        try dovecot.createFolder("Sent")
        try withTestSMTPServer(["--user", DovecotServer.user, "--password", DovecotServer.password]) { smtp in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            let set = try workspace.outbox.run([
                "profile", "set", "mari", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(smtp.port), "--tls", "none",
                "--user", DovecotServer.user, "--password-file", try dovecot.passwordFile(), "--from", "mari@firma.example",
                "--sent-copy", "Sent", "--sent-copy-url", "imap://127.0.0.1:\(dovecot.imapPort)",
            ])
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
}
