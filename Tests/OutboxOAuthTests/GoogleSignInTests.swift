import Foundation
import OutboxCore
import OutboxStore
import OutboxTestSupport
import OutboxTransport
import Testing

/// Gmail with OAuth 2.0 through the real binary: `outbox profile oauth --provider google`
/// (authorization code, PKCE, loopback redirect) against the loopback OAuth server playing
/// Google, then sending through aiosmtpd and polling a bounce mailbox on Dovecot with
/// XOAUTH2 — each with a token refreshed at the server's /token after the short-lived one
/// expired, sending the client secret from its systemd credential.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct GoogleSignInTests {
    static let clientSecret = "GOCSPX-test-secret-42"
    static let mailbox = "alice@gmail.test"

    /// A workspace with the client secret as credential `gmail-client`, and the server
    /// arguments of a Google authority that requires it.
    private func withGoogle(_ extra: [String] = [], _ body: (LoopbackServer, Workspace, [String: String]) throws -> Void) throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let credentials = workspace.directory + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try Data((Self.clientSecret + "\n").utf8).write(to: URL(fileURLWithPath: credentials + "/gmail-client"))
        try LoopbackServer.with("oauth_server.py", ["--client-secret", Self.clientSecret, "--token-user", DovecotServer.user] + extra) { google in
            try body(google, workspace, ["CREDENTIALS_DIRECTORY": credentials])
        }
    }

    private func signIn(_ google: LoopbackServer, _ workspace: Workspace, _ environment: [String: String], owner: String = "alice") throws -> SignInProcess {
        try SignInProcess(database: workspace.outbox.database, arguments: [
            owner, "--provider", "google", "--client-id", "test-client", "--client-secret-credential", "gmail-client",
            "--authority", google.url, "--sign-in-timeout", "60",
        ], environment: environment)
    }

    /// The browser's first hop: the authority answers the sign-in URL with a redirect to the loopback URI.
    private func redirect(from url: String) throws -> String {
        let answer = try SignInProcess.get(url)
        #expect(answer.status == 302)
        return try #require(answer.header("Location"))
    }

    private func secrets(_ google: LoopbackServer) throws -> [String] {
        let tokens = try google.events("token").flatMap { [$0["access_token"] as? String, $0["refresh_token"] as? String].compactMap { $0 } }
        return try tokens + google.events("authorize").compactMap { $0["code"] as? String } + [Self.clientSecret]
    }

    @Test func signInThenSendAndPollBouncesWithRefreshedTokens() throws {
        try withGoogle(["--token-lifetime", "1"]) { google, workspace, environment in
            let outbox = OutboxProcess(database: workspace.outbox.database, environment: environment)
            let set = try outbox.run(["profile", "set", "alice", "--mode", "gmail-oauth", "--user", Self.mailbox])
            #expect(set.status == 0 && set.stderr.contains("next step: sign in to Google with outbox profile oauth alice --provider google"),
                    "\(set.stderr)")

            let signIn = try signIn(google, workspace, environment)
            let url = try signIn.printedURL()
            #expect(url.hasPrefix(google.url + "/o/oauth2/v2/auth?"))
            #expect(url.contains("code_challenge_method=S256") && url.contains("access_type=offline"))
            let location = try redirect(from: url)
            #expect(location.hasPrefix("http://127.0.0.1:"))
            let page = try SignInProcess.get(location)  // the browser lands on the command's listener
            #expect(page.status == 200 && page.text.contains("Outbox received the sign-in"))
            #expect(try signIn.finish() == 0, "\(signIn.stdout) \(signIn.stderr)")
            #expect(signIn.stdout.contains("Signed in."))

            let authorize = try #require(try google.events("authorize").first)
            #expect(authorize["scope"] as? String == "https://mail.google.com/" && authorize["login_hint"] as? String == Self.mailbox)
            let exchange = try #require(try google.events("token").first)
            #expect(exchange["grant_type"] as? String == "authorization_code" && exchange["answer"] as? String == "tokens")
            let database = try OutboxDatabase(path: workspace.outbox.database)
            let columns = try #require(try database.oauthColumns(owner: "alice"))
            #expect(columns.provider == "google" && columns.authority == google.url && columns.tenant == nil)
            #expect(columns.clientSecretCredential == "gmail-client" && columns.refreshToken != nil)
            let fields = try #require(try database.profileFields(owner: "alice"))
            #expect(fields.mode == .gmailOAuth && fields.host == "smtp.gmail.com" && fields.port == 587 && fields.tls == .starttls)

            // Sending: XOAUTH2 with a token refreshed at Google's token endpoint (the signed-in one lived 1 s).
            try withTestSMTPServer(["--user", Self.mailbox, "--tokens-from", google.logPath], tls: "starttls") { server in
                #expect(try outbox.run(["profile", "set", "alice", "--host", "127.0.0.1", "--port", String(server.port),
                                        "--ca-file", server.certificatePath]).status == 0)
                let batch = try workspace.write("batch.json", """
                    {"owner": "alice", "subject": "Arve 1", "text": "Tere!", "messages": [{"to": ["klient@example.ee"]}]}
                    """)
                #expect(try outbox.run(["enqueue", batch]).status == 0)
                let config = try workspace.write("outbox.conf", "[retry]\nfirst-delay = 1s\n")
                let serve = try outbox.run(["serve", "--once", "--config", config, "--workers", "1"])
                #expect(serve.stdout.contains("sent 1"), "\(serve.stdout) \(serve.stderr)")
                let auth = try server.events().filter { $0.event == "auth" }
                #expect(!auth.isEmpty && auth.allSatisfy { $0.mechanism == "XOAUTH2" && $0.success == true && $0.user == Self.mailbox })
                for secret in try secrets(google) { #expect(!serve.stdout.contains(secret) && !serve.stderr.contains(secret)) }
            }

            // The bounce mailbox over IMAP with XOAUTH2: Dovecot checks the refreshed token at /tokeninfo.
            let dovecot = try DovecotServer(tokenInfoURL: google.url + "/tokeninfo?access_token=")
            defer { dovecot.stop() }
            let poll = try outbox.run(["bounces", "poll", "--url", "imap://127.0.0.1:\(dovecot.imapPort)/INBOX", "--user", DovecotServer.user,
                                       "--oauth", "alice", "--allow-plaintext", "--json"])
            #expect(poll.status == 0, "\(poll.stdout) \(poll.stderr)")
            #expect(try google.events("tokeninfo").contains { $0["answer"] as? String == "active" })
            let refreshes = try google.events("token").filter { $0["grant_type"] as? String == "refresh_token" }
            #expect(refreshes.count >= 2 && refreshes.allSatisfy { $0["answer"] as? String == "tokens" && $0["provider"] as? String == "google" })
            // Google keeps the refresh token: the stored one is still the signed-in one.
            #expect(try database.oauthColumns(owner: "alice")?.refreshToken == columns.refreshToken)
            for secret in try secrets(google) {
                #expect(!signIn.stdout.contains(secret) && !signIn.stderr.contains(secret) && !poll.stdout.contains(secret) && !poll.stderr.contains(secret))
            }
        }
    }

    @Test func theRedirectPastedOnStandardInputCompletesTheSignIn() throws {
        try withGoogle { google, workspace, environment in
            let signIn = try signIn(google, workspace, environment)
            let location = try redirect(from: try signIn.printedURL())
            try signIn.paste("not the address")
            try signIn.paste(location)
            #expect(try signIn.finish() == 0, "\(signIn.stdout) \(signIn.stderr)")
            #expect(signIn.stderr.contains("that is not the address the browser ended on"))
            #expect(try OutboxDatabase(path: workspace.outbox.database).oauthColumns(owner: "alice")?.refreshToken != nil)
        }
    }

    @Test func aForgedStateIsRefusedBeforeTheCodeIsRedeemed() throws {
        try withGoogle { google, workspace, environment in
            let signIn = try signIn(google, workspace, environment)
            let location = try redirect(from: try signIn.printedURL())
            var parts = try #require(URLComponents(string: location))
            parts.queryItems = parts.queryItems?.map { $0.name == "state" ? URLQueryItem(name: "state", value: "forged-state") : $0 }
            _ = try? SignInProcess.get(try #require(parts.string))
            #expect(try signIn.finish() == 1)
            #expect(signIn.stderr.contains("state does not match this sign-in"), "\(signIn.stderr)")
            #expect(try google.events("token").isEmpty)
            #expect(try OutboxDatabase(path: workspace.outbox.database).oauthColumns(owner: "alice") == nil)
        }
    }

    @Test func aCodeBoundToAnotherVerifierIsRefused() throws {
        try withGoogle { google, workspace, environment in
            let signIn = try signIn(google, workspace, environment)
            // An attacker's challenge in place of the command's: the command's verifier cannot match it.
            var parts = try #require(URLComponents(string: try signIn.printedURL()))
            parts.queryItems = parts.queryItems?.map {
                $0.name == "code_challenge" ? URLQueryItem(name: "code_challenge", value: String(repeating: "A", count: 43)) : $0
            }
            _ = try SignInProcess.get(try redirect(from: try #require(parts.string)))
            #expect(try signIn.finish() == 1)
            #expect(signIn.stderr.contains("Invalid code verifier") && signIn.stderr.contains("code verifier or redirect URI"), "\(signIn.stderr)")
            #expect(try google.events("token").first?["answer"] as? String == "invalid_grant")
            #expect(try OutboxDatabase(path: workspace.outbox.database).oauthColumns(owner: "alice") == nil)
        }
    }

    @Test func googlesEndpointsAndARedirectThatNeverShowsItsCode() throws {
        let google = try OAuthAuthority(google: OAuthAuthority.google)
        #expect(google.provider == .google && google.tenant == nil)
        #expect(google.authorizationURL == "https://accounts.google.com/o/oauth2/v2/auth")
        #expect(google.tokenURL == "https://oauth2.googleapis.com/token")
        #expect(try OAuthAuthority(google: "http://127.0.0.1:8080/").tokenURL == "http://127.0.0.1:8080/token")
        #expect(throws: OAuthError.self) { try OAuthAuthority(google: "http://accounts.example.com") }
        #expect(try OAuthAuthority().provider == .microsoft)

        let pasted = try #require(AuthorizationResponse(redirect: " http://127.0.0.1:8765/?state=s1&code=4%2F0Acode-secret-77&scope=x \n"))
        #expect(!"\(pasted)".contains("code-secret-77") && pasted.error == nil)
        let denied = try #require(AuthorizationResponse(redirect: "/?error=access_denied&state=s1"))
        #expect(denied.error == "access_denied")
        #expect(AuthorizationResponse(redirect: "http://127.0.0.1:8765/favicon.ico") == nil)
    }
}
