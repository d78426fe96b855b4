import Foundation
import OutboxTestSupport
import Testing

/// `outbox profile test` against a real aiosmtpd server with STARTTLS and AUTH on loopback.
@Suite struct ProfileTestCommandTests {
    private func configure(_ workspace: Workspace, port: Int, password: String, extra: [String] = []) throws {
        let result = try workspace.outbox.run(["profile", "set", "bob", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(port),
                                               "--tls", "starttls", "--user", "bob", "--from", "bob@example.com", "--password-stdin"] + extra,
                                              stdin: password)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func workingSettingsConnectAuthenticateAndSend() throws {
        try withTestSMTPServer(["--user", "bob", "--password", "right-pw"], tls: "starttls") { server in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            try configure(workspace, port: server.port, password: "right-pw", extra: ["--ca-file", server.certificatePath])
            let result = try workspace.outbox.run(["profile", "test", "bob", "--to", "Jüri <juri@example.ee>"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("2. connect, TLS, authenticate: ok (from 127.0.0.1 to 127.0.0.1)"), "\(result.stdout)")
            #expect(result.stdout.contains("3. send test message to juri@example.ee: ok"))
            let received = try server.messages()
            #expect(received.count == 1)
            #expect(received.first?.mailFrom == "bob@example.com" && received.first?.rcptTos == ["juri@example.ee"])
            #expect(!result.stdout.contains("right-pw"))
        }
    }

    @Test func untrustedCertificateWrongPasswordAndWrongTLSModeEachGetTheirHint() throws {
        try withTestSMTPServer(["--user", "bob", "--password", "right-pw"], tls: "starttls") { server in
            let workspace = try Workspace()
            defer { workspace.cleanUp() }
            try configure(workspace, port: server.port, password: "wrong-pw")
            let untrusted = try workspace.outbox.run(["profile", "test", "bob"])
            #expect(untrusted.status == 1)
            #expect(untrusted.stdout.contains("hint: The server's certificate is not trusted"), "\(untrusted.stdout)")

            _ = try workspace.outbox.run(["profile", "set", "bob", "--ca-file", server.certificatePath])
            let rejected = try workspace.outbox.run(["profile", "test", "bob"])
            #expect(rejected.status == 1)
            #expect(rejected.stdout.contains("authentication-rejected: 535"), "\(rejected.stdout)")
            #expect(rejected.stdout.contains("hint: The server refused the user name or password (535)."))
            #expect(!rejected.stdout.contains("wrong-pw") && !rejected.stderr.contains("wrong-pw"))

            _ = try workspace.outbox.run(["profile", "set", "bob", "--tls", "ssl"])
            let mismatch = try workspace.outbox.run(["profile", "test", "bob", "--timeout", "5"])
            #expect(mismatch.status == 1)
            #expect(mismatch.stdout.contains("did not speak TLS from the first byte: it expects STARTTLS"), "\(mismatch.stdout)")
            #expect(try server.messages().isEmpty)
        }
    }

    @Test func aClosedPortSaysWhereItConnectedFrom() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        try configure(workspace, port: 1, password: "x")
        let result = try workspace.outbox.run(["profile", "test", "bob"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("connection-refused"))
        #expect(result.stdout.contains("hint: Could not reach 127.0.0.1:1"))
    }
}
