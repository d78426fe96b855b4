import Foundation
import OutboxTestSupport
import Testing

/// Secrets at rest through the real `outbox` binary, the way operators use it, against a
/// real aiosmtpd with STARTTLS and AUTH.
@Suite struct SecretsCommandTests {
    @Test func profileSetSealsThePasswordAndProfileTestOpensItWhereTheKeyIsReadable() throws {
        let password = "pw-" + UUID().uuidString
        try withTestSMTPServer(["--user", "bob", "--password", password], tls: "starttls") { server in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            let set = try workspace.outbox.run(["profile", "set", "bob", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(server.port),
                                                "--tls", "starttls", "--user", "bob", "--from", "bob@example.com", "--ca-file", server.certificatePath,
                                                "--password-stdin"], stdin: password)
            #expect(set.status == 0, "\(set.stderr)")
            #expect(set.stdout.contains("******** (stored)"))
            #expect(FileGrep.files(in: workspace.directory, containing: password).isEmpty)
            #expect(!FileGrep.files(in: workspace.directory, containing: "bob@example.com").isEmpty)  // the row is there

            let status = try workspace.outbox.run(["secrets", "status"])
            #expect(status.status == 0, "\(status.stdout)")
            #expect(status.stdout.contains("key file \(workspace.directory)/secrets.key") && status.stdout.contains("1 secret(s)"))

            let test = try workspace.outbox.run(["profile", "test", "bob"])
            #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
            #expect(test.stdout.contains("2. connect, TLS, authenticate: ok"))

            // A user who cannot read the key: told so, and no login is tried with a wrong or empty password.
            let logins = try server.events().filter { $0.event == "auth" }.count
            let keyless = OutboxProcess(database: workspace.directory + "/outbox.db",
                                        environment: ["OUTBOX_SECRETS_KEY_FILE": workspace.directory + "/not-here.key"])
            let refused = try keyless.run(["profile", "test", "bob"])
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("error: the password cannot be opened: no secrets key"), "\(refused.stdout)")
            #expect(try server.events().filter { $0.event == "auth" }.count == logins)
            let unavailable = try keyless.run(["secrets", "status"])
            #expect(unavailable.status == 1 && unavailable.stdout.contains("UNAVAILABLE"))
            // It can still change the profile, and a new password is sealed for the key it cannot read.
            let second = "pw2-" + UUID().uuidString
            #expect(try keyless.run(["profile", "set", "bob", "--password-stdin"], stdin: second).status == 0)
            #expect(FileGrep.files(in: workspace.directory, containing: second).isEmpty)
            #expect(try workspace.outbox.run(["secrets", "status"]).status == 0)
            for output in [set, status, test, refused, unavailable] { #expect(!(output.stdout + output.stderr).contains(password)) }
        }
    }

    @Test func rotateKeyReplacesTheKeyFileAndTheDaemonHoldsWithoutIt() throws {
        let password = "pw-" + UUID().uuidString
        try withTestSMTPServer(["--user", "bob", "--password", password]) { server in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            #expect(try workspace.outbox.run(["profile", "set", "bob", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(server.port),
                                              "--tls", "none", "--user", "bob", "--from", "bob@example.com", "--password-stdin"],
                                             stdin: password).status == 0)
            let keyPath = workspace.directory + "/secrets.key"
            let before = try String(contentsOfFile: keyPath, encoding: .utf8)
            let rotate = try workspace.outbox.run(["secrets", "rotate-key"])
            #expect(rotate.status == 0, "\(rotate.stderr)")
            #expect(rotate.stdout.contains("sealed 1 secret(s) to key") && rotate.stdout.contains("the new key replaced \(keyPath)"))
            #expect(try String(contentsOfFile: keyPath, encoding: .utf8) != before)
            #expect(try workspace.outbox.run(["profile", "test", "bob"]).status == 0)

            // serve without the key: the profile is held with the reason, shown where operators look.
            let batch = try workspace.write("batch.json", #"{"owner": "bob", "subject": "Arve", "text": "Tere", "messages": [{"to": ["juri@example.ee"]}]}"#)
            #expect(try workspace.outbox.run(["enqueue", batch]).status == 0)
            try FileManager.default.moveItem(atPath: keyPath, toPath: workspace.directory + "/away.key")
            let serve = try workspace.outbox.run(["serve", "--once", "--relay", "smtp://127.0.0.1:1"])
            #expect(serve.stdout.contains("sent 0") && serve.stdout.contains("held 1"), "\(serve.stdout)\(serve.stderr)")
            #expect(serve.stderr.contains("secrets: no secrets key"), "\(serve.stderr)")
            let show = try workspace.outbox.run(["profile", "show", "bob"])
            #expect(show.stdout.contains("HELD") && show.stdout.contains("secrets: no secrets key"), "\(show.stdout)")
            #expect(try workspace.outbox.run(["events", "--kind", "profile-held"]).stdout.contains("secrets: no secrets key"))
            #expect(try server.messages().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: keyPath))  // never silently replaced by a new key
        }
    }
}
