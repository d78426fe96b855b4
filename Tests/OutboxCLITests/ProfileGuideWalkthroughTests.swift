import Foundation
import OutboxTestSupport
import Testing

/// The README's profile guide, set-up by set-up, as a user types it: the same commands
/// against loopback stand-ins (aiosmtpd with implicit TLS, STARTTLS and XOAUTH2, the OAuth
/// authority, the HTTP mail service). The providers' real host names are kept in the first
/// command and then pointed at 127.0.0.1 with explicit --host/--port/--ca-file overrides.
@Suite(.timeLimit(.minutes(10))) struct ProfileGuideWalkthroughTests {
    /// Gmail with an app password on smtp.gmail.com:465 SSL (implicit TLS).
    @Test func gmailAppPasswordOn465SSL() throws {
        try withTestSMTPServer(["--user", "mari@gmail.com", "--password", "abcdefghijklmnop"], tls: "implicit") { server in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            let set = try guide.run(["profile", "set", "mari", "--preset", "gmail", "--port", "465", "--user", "mari@gmail.com",
                                     "--from", "mari@gmail.com", "--from-name", "Mari Maasikas", "--password-stdin"],
                                    stdin: "abcd efgh ijkl mnop\n")
            #expect(set.stderr.contains("removed 3 space(s) from the app password"))
            #expect(try guide.stored("mari", "host") as? String == "smtp.gmail.com")
            #expect(try guide.stored("mari", "tls") as? String == "ssl" && guide.stored("mari", "port") as? Int == 465)
            // The loopback stand-in for smtp.gmail.com:465.
            try guide.run(["profile", "set", "mari", "--host", "127.0.0.1", "--port", String(server.port), "--tls", "ssl",
                           "--ca-file", server.certificatePath])

            let test = try guide.run(["profile", "test", "mari", "--to", "mari@gmail.com", "--config", guide.configPath])
            #expect(test.stdout.contains("127.0.0.1:\(server.port) ssl, user mari@gmail.com"), "\(test.stdout)")
            #expect(test.stdout.contains("3. send test message to mari@gmail.com: ok"))

            try guide.enqueue(owner: "mari")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let received = try server.messages()
            #expect(received.count == 2 && received.allSatisfy { $0.mailFrom == "mari@gmail.com" && $0.user == "mari@gmail.com" })
            #expect(received.last?.text.contains("From: Mari Maasikas <mari@gmail.com>") == true)
        }
    }

    /// Zone: smtp.zone.eu:587 STARTTLS, the password from a file.
    @Test func zoneOn587STARTTLS() throws {
        try withTestSMTPServer(["--user", "info@firma.ee", "--password", "zone-pw"], tls: "starttls") { server in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            let passwordFile = try guide.workspace.write("zone-password", "zone-pw\n")
            try guide.run(["profile", "set", "firma", "--preset", "zone", "--user", "info@firma.ee", "--from", "info@firma.ee",
                           "--from-name", "Firma OÜ", "--password-file", passwordFile])
            #expect(try guide.stored("firma", "host") as? String == "smtp.zone.eu" && guide.stored("firma", "tls") as? String == "starttls")
            try guide.run(["profile", "set", "firma", "--host", "127.0.0.1", "--port", String(server.port), "--ca-file", server.certificatePath])
            #expect(try guide.stored("firma", "tls") as? String == "starttls")

            try guide.run(["profile", "test", "firma", "--config", guide.configPath])
            try guide.enqueue(owner: "firma")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try server.messages().first)
            #expect(message.mailFrom == "info@firma.ee" && message.rcptTos == ["klient@example.ee"])
            #expect(message.text.contains("From: =?utf-8?B?RmlybWEgT8Oc?= <info@firma.ee>"), "the display name is RFC 2047-encoded: \(message.text.prefix(300))")
        }
    }

    /// One company configuration; each user sets only user name and password.
    @Test func oneCompanyConfigurationAndPerUserLogins() throws {
        try withTestSMTPServer(["--user", "mari@firma.ee", "--password", "mari-pw"], tls: "starttls") { server in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "firma", "--preset", "zone", "--user", "info@firma.ee", "--from", "info@firma.ee",
                           "--from-name", "Firma OÜ", "--password-stdin"], stdin: "company-pw")
            try guide.run(["profile", "set", "firma", "--host", "127.0.0.1", "--port", String(server.port), "--ca-file", server.certificatePath])
            try guide.run(["settings", "set", "global-profile", "firma"])
            let mari = try guide.run(["profile", "set", "mari", "--user", "mari@firma.ee", "--password-stdin"], stdin: "mari-pw\n")
            #expect(!mari.stderr.contains("implied") && !mari.stderr.contains("warning"), "\(mari.stderr)")

            let resolved = try guide.resolved("mari")
            #expect(resolved["host"]?.value == "127.0.0.1" && resolved["host"]?.origin == "global")
            #expect(resolved["user"]?.origin == "owner" && resolved["from"]?.value == "mari@firma.ee")
            #expect(resolved["from"]?.origin == "owner-login")
            let explained = try guide.run(["profile", "resolve", "mari", "--config", guide.configPath])
            #expect(explained.stdout.contains("note: From is the owner's login mari@firma.ee"))

            try guide.run(["profile", "test", "mari", "--config", guide.configPath])
            try guide.enqueue(owner: "mari")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try server.messages().first)
            #expect(message.user == "mari@firma.ee" && message.mailFrom == "mari@firma.ee")
            #expect(message.text.contains("<mari@firma.ee>"))
        }
    }

    /// Reply-To mode: through the company relay, From the company's event address, Reply-To the user.
    @Test func replyToModeThroughTheRelay() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: """
                [relay]
                host = 127.0.0.1
                port = \(relay.port)
                tls = none
                [reply-to]
                company-address = firma
                event-domain = events.firma.ee
                """)
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "reply-to", "--from", "juri@firma.ee", "--from-name", "Jüri Õunapuu"])
            let test = try guide.run(["profile", "test", "juri", "--to", "klient@example.ee", "--config", guide.configPath])
            #expect(test.stdout.contains("mode reply-to (the system relay), 127.0.0.1:\(relay.port) none"), "\(test.stdout)")
            try guide.run(["dkim", "keygen", "--domain", "events.firma.ee", "--selector", "s2026"])
            try guide.enqueue(owner: "juri")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let messages = try relay.messages()
            #expect(messages.count == 2)
            for message in messages {
                #expect(message.mailFrom?.hasPrefix("bounces+") == true && message.mailFrom?.hasSuffix("@events.firma.ee") == true)
                #expect(message.text.contains("<firma@events.firma.ee>") && message.text.contains("Reply-To: =?utf-8?"))
                #expect(message.text.contains("<juri@firma.ee>"))
            }
        }
    }

    /// Microsoft 365 with OAuth 2.0: preset, device-code sign-in, test, send with the access token.
    @Test func microsoft365WithOAuth() throws {
        try LoopbackServer.with("oauth_server.py", ["--tenant", "firma.onmicrosoft.com"]) { authority in
            try withTestSMTPServer(["--user", "anne@firma.onmicrosoft.com", "--tokens-from", authority.logPath], tls: "starttls") { server in
                let guide = try ProfileGuide()
                defer { guide.cleanUp() }
                let set = try guide.run(["profile", "set", "anne", "--preset", "office365", "--user", "anne@firma.onmicrosoft.com",
                                         "--from", "anne@firma.onmicrosoft.com"])
                #expect(set.stderr.contains("next step: sign in to Microsoft 365 with outbox profile oauth anne --client-id ID --tenant TENANT"))
                #expect(try guide.stored("anne", "mode") as? String == "m365-oauth")
                try guide.run(["profile", "set", "anne", "--host", "127.0.0.1", "--port", String(server.port), "--ca-file", server.certificatePath])
                let signIn = try guide.run(["profile", "oauth", "anne", "--client-id", "test-client", "--tenant", "firma.onmicrosoft.com",
                                            "--authority", authority.url])
                #expect(signIn.stdout.contains("Signed in."))

                let test = try guide.run(["profile", "test", "anne", "--to", "anne@firma.onmicrosoft.com", "--config", guide.configPath])
                #expect(test.stdout.contains("2. OAuth access token: ok") && test.stdout.contains("4. send test message"), "\(test.stdout)")
                try guide.enqueue(owner: "anne")
                #expect(try guide.serveOnce().stdout.contains("sent 1"))
                let auth = try server.events().filter { $0.event == "auth" }
                #expect(auth.count >= 3 && auth.allSatisfy { $0.mechanism == "XOAUTH2" && $0.success == true })
                for token in try authority.events("token").compactMap({ $0["access_token"] as? String }) {
                    #expect(!test.stdout.contains(token) && !signIn.stdout.contains(token))
                }
            }
        }
    }

    /// Manager.io's HTTP protocol: test, then update; then send.
    @Test func managersHTTPMailService() throws {
        try LoopbackServer.with("http_mail_server.py", ["--bearer", "api-token-1"]) { service in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            let url = service.url + "/v1/send"
            let refused = try guide.outbox.run(["profile", "set", "api", "--mode", "http", "--url", url, "--from", "noreply@firma.ee",
                                                "--reply-to", "info@firma.ee", "--password-stdin", "--test"], stdin: "wrong-token")
            #expect(refused.status == 1 && refused.stderr.contains("nothing was saved"), "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stdout.contains("authentication-rejected"))
            #expect(try guide.outbox.run(["profile", "show", "api"]).status == 1)

            let saved = try guide.run(["profile", "set", "api", "--mode", "http", "--url", url, "--from", "noreply@firma.ee",
                                       "--reply-to", "info@firma.ee", "--password-stdin", "--test"], stdin: "api-token-1")
            #expect(saved.stdout.contains("dry request") && saved.stdout.contains("profile api saved"), "\(saved.stdout)")
            try guide.run(["profile", "test", "api", "--to", "klient@example.ee"])
            try guide.enqueue(owner: "api")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let posts = try service.events("post")
            #expect(posts.count == 4)
            #expect(posts.filter { ($0["body"] as? String)?.isEmpty == true }.count == 2, "the two dry requests carry no message")
            #expect(posts.last?["auth"] as? String == "ok" && posts.last?["envelope_to"] as? String == "klient@example.ee")
        }
    }
}
