import Foundation
import OutboxTestSupport
import Testing

/// `profile set --password-credential NAME`: the password stays in a systemd credential and
/// the daemon reads it at send time, through the real binary against aiosmtpd with AUTH.
@Suite struct PasswordCredentialTests {
    @Test func theDaemonLogsInWithTheCredentialAndHoldsTheProfileWhileItIsMissing() throws {
        let password = "pw-" + UUID().uuidString
        try withTestSMTPServer(["--user", "bob", "--password", password]) { server in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            let set = try workspace.outbox.run(["profile", "set", "bob", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(server.port),
                                                "--tls", "none", "--user", "bob", "--from", "bob@example.com", "--password-credential", "bob-smtp"])
            #expect(set.status == 0, "\(set.stderr)")
            let batch = try workspace.write("batch.json", #"{"owner": "bob", "subject": "Arve", "text": "Tere", "messages": [{"to": ["juri@example.ee"]}]}"#)
            #expect(try workspace.outbox.run(["enqueue", batch]).status == 0)

            // No credential to read: held with the reason, no login tried with an empty password.
            let credentials = workspace.directory + "/credentials"
            try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
            let daemon = OutboxProcess(database: workspace.directory + "/outbox.db", environment: ["CREDENTIALS_DIRECTORY": credentials])
            let held = try daemon.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
            #expect(held.stdout.contains("sent 0") && held.stdout.contains("held 1"), "\(held.stdout)\(held.stderr)")
            let show = try workspace.outbox.run(["profile", "show", "bob"])
            #expect(show.stdout.contains("HELD") && show.stdout.contains("credential 'bob-smtp'"), "\(show.stdout)")
            #expect(try server.events().filter { $0.event == "auth" }.isEmpty)
            let untestable = try daemon.run(["profile", "test", "bob"])
            #expect(untestable.status == 1 && untestable.stdout.contains("the password cannot be read: credential 'bob-smtp'"), "\(untestable.stdout)")

            // The credential in place (and the hold lifted by a profile change): it logs in and sends.
            try (password + "\n").write(toFile: credentials + "/bob-smtp", atomically: true, encoding: .utf8)
            #expect(try workspace.outbox.run(["profile", "set", "bob", "--from", "bob@example.com"]).status == 0)
            #expect(try daemon.run(["profile", "test", "bob"]).status == 0)
            let sent = try daemon.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
            #expect(sent.stdout.contains("sent 1"), "\(sent.stdout)\(sent.stderr)")
            #expect(try server.events().contains { $0.event == "auth" && $0.user == "bob" && $0.success == true })
            #expect(try server.messages().count == 1)
            for output in [set, held, show, untestable, sent] { #expect(!(output.stdout + output.stderr).contains(password)) }
        }
    }

    /// The company profile's credential missing: the owner who inherits it is held for the
    /// credential (not sent to the secrets key), and `profile test` says it cannot be read.
    @Test func aMissingCompanyCredentialHoldsForTheCredentialNotTheSecretsKey() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        #expect(try workspace.outbox.run(["profile", "set", "firma", "--mode", "smtp", "--host", "127.0.0.1", "--port", "1", "--tls", "none",
                                          "--user", "info@firma.ee", "--from", "info@firma.ee", "--password-credential", "firma-smtp"]).status == 0)
        #expect(try workspace.outbox.run(["settings", "set", "global-profile", "firma"]).status == 0)
        #expect(try workspace.outbox.run(["profile", "set", "mari", "--from", "mari@firma.ee"]).status == 0)
        let batch = try workspace.write("batch.json", #"{"owner": "mari", "subject": "Arve", "text": "Tere", "messages": [{"to": ["juri@example.ee"]}]}"#)
        #expect(try workspace.outbox.run(["enqueue", batch]).status == 0)

        let credentials = workspace.directory + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        let daemon = OutboxProcess(database: workspace.directory + "/outbox.db", environment: ["CREDENTIALS_DIRECTORY": credentials])
        let held = try daemon.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
        #expect(held.stdout.contains("held 1"), "\(held.stdout)\(held.stderr)")
        let show = try workspace.outbox.run(["profile", "show", "mari"])
        #expect(show.stdout.contains("company profile: credential 'firma-smtp'"), "\(show.stdout)")
        #expect(!show.stdout.contains("secrets status"), "a credential problem is not a secrets-key problem: \(show.stdout)")
        let untestable = try daemon.run(["profile", "test", "mari"])
        #expect(untestable.status == 1, "\(untestable.stdout)")
        #expect(untestable.stdout.contains("the password cannot be read: company profile: credential 'firma-smtp'"), "\(untestable.stdout)")
        #expect(!untestable.stdout.contains("secrets key"), "\(untestable.stdout)")
    }
}
