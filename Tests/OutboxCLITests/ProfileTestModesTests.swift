import Foundation
import OutboxTestSupport
import Testing

/// `outbox profile test` and the daemon share one route: Microsoft 365 with its access token,
/// every sending mode, and the same troubleshooting hints in the test's output, on the
/// daemon's events and in its log.
@Suite(.timeLimit(.minutes(10))) struct ProfileTestModesTests {
    // Item 1: the OAuth access token (refreshed when due), never the stored password.
    @Test func microsoft365TestSendsTheAccessTokenNotThePassword() throws {
        // Tokens live 60 s: under the 5-minute margin, so every use refreshes first.
        try LoopbackServer.with("oauth_server.py", ["--token-lifetime", "60"]) { authority in
            try withTestSMTPServer(["--user", "anne@firma.example", "--tokens-from", authority.logPath], tls: "starttls") { server in
                let guide = try ProfileGuide()
                defer { guide.cleanUp() }
                let set = try guide.run(["profile", "set", "anne", "--preset", "office365", "--host", "127.0.0.1", "--port", String(server.port),
                                         "--ca-file", server.certificatePath, "--user", "anne@firma.example", "--from", "anne@firma.example",
                                         "--password-stdin"], stdin: "old-basic-auth-password")
                #expect(set.stderr.contains("warning: --password is not used: Microsoft 365 (mode m365-oauth) signs in with an OAuth access token"))
                #expect(set.stderr.contains("next step: sign in to Microsoft 365 with outbox profile oauth anne"))
                try guide.run(["profile", "oauth", "anne", "--client-id", "test-client", "--authority", authority.url])

                let test = try guide.run(["profile", "test", "anne", "--config", guide.configPath])
                #expect(test.stdout.contains("2. OAuth access token: ok") && test.stdout.contains("3. connect, TLS, authenticate: ok"), "\(test.stdout)")
                let auth = try server.events().filter { $0.event == "auth" }
                #expect(auth.count == 1 && auth.first?.mechanism == "XOAUTH2" && auth.first?.success == true)
                let refreshed = try authority.events("token").filter { $0["grant_type"] as? String == "refresh_token" && $0["answer"] as? String == "tokens" }
                #expect(refreshed.count == 1, "the access token was refreshed before use")
            }
        }
    }

    // Item 1: a profile test of an m365 profile without a sign-in says what to do.
    @Test func microsoft365WithoutSignInSaysToSignIn() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        try guide.run(["profile", "set", "anne", "--preset", "office365", "--user", "anne@firma.example", "--from", "anne@firma.example"])
        let test = try guide.outbox.run(["profile", "test", "anne", "--config", guide.configPath])
        #expect(test.status == 1 && test.stdout.contains("2. OAuth access token: FAILED") && test.stdout.contains("outbox profile oauth anne"), "\(test.stdout)")
    }

    // Item 6: the hints reach the daemon's events and its log.
    @Test func hintsAppearOnHeldAndDeferredEventsAndInTheLog() throws {
        try withTestSMTPServer(["--user", "mari@gmail.com", "--password", "right"], tls: "starttls") { server in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "mari", "--preset", "gmail", "--user", "mari@gmail.com", "--from", "mari@gmail.com",
                           "--password-stdin"], stdin: "account-password")
            try guide.run(["profile", "set", "mari", "--host", "127.0.0.1", "--port", String(server.port), "--ca-file", server.certificatePath])
            try guide.run(["profile", "set", "kati", "--mode", "smtp", "--host", "127.0.0.1", "--port", "1", "--from", "kati@firma.ee"])
            try guide.enqueue(owner: "mari")
            try guide.enqueue(owner: "kati")
            let serve = try guide.serveOnce()
            #expect(serve.stdout.contains("held 1") && serve.stdout.contains("deferred 1"), "\(serve.stdout)\(serve.stderr)")

            let held = try #require(try guide.events("profile-held").first?["detail"] as? String)
            #expect(held.contains("authentication-rejected: 535") && held.contains("hint: The server refused the user name or password (535)."))
            let deferred = try #require(try guide.events("deferred").first?["detail"] as? String)
            #expect(deferred.contains("connection-refused") && deferred.contains("hint: Could not reach 127.0.0.1:1"), "\(deferred)")
            // The log (the journal under systemd, stderr here) carries the same hints.
            #expect(serve.stderr.contains("hint: The server refused the user name or password (535)."), "\(serve.stderr)")
            #expect(serve.stderr.contains("hint: Could not reach 127.0.0.1:1"))
            #expect(!serve.stderr.contains("account-password"))
            let shown = try guide.run(["profile", "show", "mari"])
            #expect(shown.stdout.contains("HELD") && shown.stdout.contains("hint:"))
        }
    }

    // Item 6: a certificate failure on an SSL port gets the certificate hint, not a port hint.
    @Test func aCertificateFailureOnAnSSLPortIsNamedAsSuch() throws {
        try withTestSMTPServer(tls: "implicit") { server in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "bob", "--host", "127.0.0.1", "--port", String(server.port), "--tls", "ssl", "--from", "bob@firma.ee"])
            let test = try guide.outbox.run(["profile", "test", "bob", "--config", guide.configPath])
            #expect(test.status == 1)
            #expect(test.stdout.contains("hint: The server's certificate is not trusted"), "\(test.stdout)")
            #expect(!test.stdout.contains("expects STARTTLS"))
            // The same server spoken to with STARTTLS: the port/TLS mismatch hint.
            try guide.run(["profile", "set", "bob", "--tls", "starttls", "--ca-file", server.certificatePath])
            let mismatch = try guide.outbox.run(["profile", "test", "bob", "--timeout", "3", "--config", guide.configPath])
            #expect(mismatch.status == 1 && mismatch.stdout.contains("needs --tls ssl"), "\(mismatch.stdout)")
        }
    }

    // Item 6: Microsoft 365 answering 334 forever: Authenticated SMTP is disabled.
    @Test func microsoft365Answering334SaysAuthenticatedSMTPIsDisabled() throws {
        try LoopbackServer.with("oauth_server.py") { authority in
            try withTestSMTPServer(["--user", "anne@firma.example", "--auth-loop"], tls: "starttls") { server in
                let guide = try ProfileGuide()
                defer { guide.cleanUp() }
                try guide.run(["profile", "set", "anne", "--preset", "office365", "--host", "127.0.0.1", "--port", String(server.port),
                               "--ca-file", server.certificatePath, "--user", "anne@firma.example", "--from", "anne@firma.example"])
                try guide.run(["profile", "oauth", "anne", "--client-id", "test-client", "--authority", authority.url])
                let test = try guide.outbox.run(["profile", "test", "anne", "--timeout", "3", "--config", guide.configPath])
                #expect(test.status == 1 && test.stdout.contains("authentication-incomplete"), "\(test.stdout)")
                #expect(test.stdout.contains("hint: Microsoft 365 answered 334 and never completed: Authenticated SMTP is disabled"))
            }
        }
    }

    // Item 8: maildir mode is tested too (the directory, then a test message).
    @Test func maildirModeIsTested() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        let maildir = guide.workspace.directory + "/Maildir"
        try guide.run(["profile", "set", "demo", "--mode", "maildir", "--url", maildir, "--from", "demo@firma.ee"])
        let test = try guide.run(["profile", "test", "demo", "--to", "klient@example.ee", "--config", guide.configPath])
        #expect(test.stdout.contains("2. Maildir \(maildir): ok") && test.stdout.contains("3. write test message for klient@example.ee: ok"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").count == 1)
    }
}
