import Foundation
import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import OutboxTransport
import Testing

/// The bounce mailbox, the own inbox and the Sent folder over XOAUTH2: a real Dovecot on
/// loopback whose oauth2 passdb checks each bearer token at the loopback OAuth server's
/// `/tokeninfo`, and tokens stored on owner `alice`'s profile, refreshed at the same server.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct MailboxOAuthTests {
    private static let hour: Int64 = 3_600_000

    /// The OAuth server (accepting `access`es and `refresh`es), Dovecot checking tokens
    /// against it, and a database whose `alice` holds `storedRefresh`/`storedAccess`.
    private func withMailbox(accepting access: [String] = [], refresh: [String] = [], storedRefresh: String, storedAccess: String,
                             expiresAt: Int64, _ body: (LoopbackServer, DovecotServer, TemporaryDatabase) throws -> Void) throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let arguments = access.flatMap { ["--access-token", $0] } + refresh.flatMap { ["--refresh-token", $0] } + ["--token-user", DovecotServer.user]
        try LoopbackServer.with("oauth_server.py", arguments) { oauth in
            let mailbox = try DovecotServer(tokenInfoURL: oauth.url + "/tokeninfo?access_token=")
            defer { mailbox.stop() }
            let outbox = try database.open()
            try outbox.saveOAuthAuthorisation(owner: "alice", authority: oauth.url, tenant: "organizations", clientID: "test-client",
                                              refreshToken: storedRefresh, accessToken: storedAccess, expiresAt: expiresAt,
                                              now: OutboxDatabase.milliseconds(Date()))
            try body(oauth, mailbox, database)
        }
    }

    /// Two bounces (sample 01, a Postfix DSN) in the mailbox.
    private func fill(_ mailbox: DovecotServer) throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BounceSamples/01-postfix-dsn-failed.eml")
        let bytes = Array(try Data(contentsOf: sample))
        try mailbox.deliver(bytes, name: "1700000001.M1P1.test")
        try mailbox.deliver(bytes + Array("\n".utf8), name: "1700000002.M1P1.test")
    }

    private func url(_ scheme: String, _ mailbox: DovecotServer) -> String {
        scheme == "imap" ? "imap://127.0.0.1:\(mailbox.imapPort)/INBOX" : "pop3://127.0.0.1:\(mailbox.pop3Port)"
    }

    private func poll(_ scheme: String, _ mailbox: DovecotServer, _ database: TemporaryDatabase) throws -> OutboxBinary.Result {
        try OutboxBinary(database: database.path).run(
            ["bounces", "poll", "--url", url(scheme, mailbox), "--user", DovecotServer.user, "--oauth", "alice", "--allow-plaintext", "--json"])
    }

    private func refreshes(_ oauth: LoopbackServer) throws -> [[String: Any]] {
        try oauth.events("token").filter { $0["grant_type"] as? String == "refresh_token" }
    }

    /// No token the servers handed out appears in `text`.
    private func leaksNoToken(_ text: String, _ oauth: LoopbackServer, also: [String]) throws -> Bool {
        let issued = try oauth.events("token").flatMap { [$0["access_token"] as? String, $0["refresh_token"] as? String].compactMap { $0 } }
        return !(issued + also).contains { text.contains($0) }
    }

    @Test(arguments: ["imap", "pop3"])
    func bouncePollLogsInWithXOAUTH2AndRecordsThenDeletes(_ scheme: String) throws {
        let now = OutboxDatabase.milliseconds(Date())
        try withMailbox(accepting: ["at-live-4d2e"], refresh: ["rt-seed"], storedRefresh: "rt-seed", storedAccess: "at-live-4d2e",
                        expiresAt: now + Self.hour) { oauth, mailbox, database in
            try fill(mailbox)
            let result = try poll(scheme, mailbox, database)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\"recorded\" : 2") || result.stdout.contains("\"recorded\":2"), "\(result.stdout)")
            #expect(try mailbox.messageCount() == 0, "recorded bounces are deleted")
            #expect(mailbox.log().contains("user=<\(DovecotServer.user)>, method=XOAUTH2"), "\(mailbox.log())")
            #expect(try oauth.events("tokeninfo").map { $0["answer"] as? String } == ["active"])
            #expect(try refreshes(oauth).isEmpty, "a token valid for an hour is used as it is")
            #expect(try leaksNoToken(result.stdout + result.stderr, oauth, also: ["at-live-4d2e", "rt-seed"]))
        }
    }

    @Test func anExpiredAccessTokenIsRefreshedBeforeTheLogin() throws {
        let now = OutboxDatabase.milliseconds(Date())
        try withMailbox(refresh: ["rt-seed"], storedRefresh: "rt-seed", storedAccess: "at-expired-77aa", expiresAt: now - 1000) { oauth, mailbox, database in
            try fill(mailbox)
            let result = try poll("imap", mailbox, database)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try mailbox.messageCount() == 0)
            let grant = try #require(try refreshes(oauth).first)
            #expect(try refreshes(oauth).count == 1)
            #expect(try oauth.events("tokeninfo").map { $0["answer"] as? String } == ["active"], "the expired token is never offered")
            let columns = try #require(try database.open().oauthColumns(owner: "alice"))
            #expect(columns.accessToken == grant["access_token"] as? String && columns.refreshToken == grant["refresh_token"] as? String)
            #expect(try leaksNoToken(result.stdout + result.stderr, oauth, also: ["at-expired-77aa", "rt-seed"]))
        }
    }

    @Test func aTokenTheServerRefusesIsRefreshedOnceAndTheLoginRetried() throws {
        let now = OutboxDatabase.milliseconds(Date())
        // Not expired by the clock, but the server no longer takes it (revoked access token).
        try withMailbox(refresh: ["rt-seed"], storedRefresh: "rt-seed", storedAccess: "at-refused-31bc", expiresAt: now + Self.hour) {
            oauth, mailbox, database in
            try fill(mailbox)
            let result = try poll("pop3", mailbox, database)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try mailbox.messageCount() == 0)
            #expect(try refreshes(oauth).count == 1)
            #expect(try oauth.events("tokeninfo").map { $0["answer"] as? String } == ["invalid", "active"])
        }
    }

    @Test func aRevokedSignInGivesAClearErrorAndLeavesTheMailAlone() throws {
        let now = OutboxDatabase.milliseconds(Date())
        try withMailbox(storedRefresh: "rt-revoked-90ab", storedAccess: "at-refused-5e5e", expiresAt: now + Self.hour) { oauth, mailbox, database in
            try fill(mailbox)
            let result = try poll("imap", mailbox, database)
            #expect(result.status == 75)
            #expect(result.stderr.contains("re-authorise with `outbox profile oauth alice`"), "\(result.stderr)")
            #expect(try mailbox.messageCount() == 2, "nothing is read or deleted without a login")
            #expect(try refreshes(oauth).map { $0["answer"] as? String } == ["invalid_grant"], "one refresh, then it gives up")
            #expect(try leaksNoToken(result.stdout + result.stderr, oauth, also: ["at-refused-5e5e", "rt-revoked-90ab"]))
        }
    }

    @Test func theServerRefusingEvenARefreshedTokenIsALoginDeniedError() throws {
        let now = OutboxDatabase.milliseconds(Date())
        // Dovecot's token check names another user: every token is refused, fresh or not.
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py", ["--refresh-token", "rt-seed", "--token-user", "someone-else"]) { oauth in
            let mailbox = try DovecotServer(tokenInfoURL: oauth.url + "/tokeninfo?access_token=")
            defer { mailbox.stop() }
            try database.open().saveOAuthAuthorisation(owner: "alice", authority: oauth.url, tenant: "organizations", clientID: "test-client",
                                                       refreshToken: "rt-seed", accessToken: "at-old", expiresAt: now + Self.hour, now: now)
            let endpoint = BounceMailboxPoller.authorised(
                try MailboxEndpoint(url: url("imap", mailbox), username: DovecotServer.user, password: "", requireTLS: false),
                auth: .oauth(owner: "alice"), database: try database.open())
            do {
                _ = try MailboxDrain.run(endpoint) { _, _ in }
                Issue.record("a refused login must fail")
            } catch let error as OutboxTransport.MailboxError {
                #expect(error.code == .loginDenied)
                #expect(error.reason.contains("freshly refreshed access token of owner alice"), "\(error.reason)")
            }
            #expect(try refreshes(oauth).count == 1, "refreshed once, not in a loop")
        }
    }

    @Test func thePollerGoesOnAfterARevokedSignInAndReadsTheMailboxOnceSignedInAgain() throws {
        let now = OutboxDatabase.milliseconds(Date())
        try withMailbox(refresh: ["rt-new-after-sign-in"], storedRefresh: "rt-revoked-1", storedAccess: "at-refused-2", expiresAt: now + Self.hour) {
            oauth, mailbox, database in
            try fill(mailbox)
            let outbox = try database.open()
            var settings = BounceSettings()
            settings.pollInterval = .seconds(1)
            settings.mailboxAuth = .oauth(owner: "alice")
            let endpoint = try MailboxEndpoint(url: url("imap", mailbox), username: DovecotServer.user, password: "", requireTLS: false)
            let poller = BounceMailboxPoller(database: outbox, endpoint: endpoint, settings: settings)
            poller.start()
            defer { poller.stop() }
            var deadline = Date().addingTimeInterval(20)
            while Date() < deadline, try refreshes(oauth).count < 2 { usleep(100_000) }
            #expect(try refreshes(oauth).count >= 2, "each cycle tries again")
            #expect(try mailbox.messageCount() == 2)
            // An operator signs in again (outbox profile oauth alice): the next cycle reads the mailbox.
            try outbox.saveOAuthAuthorisation(owner: "alice", authority: oauth.url, tenant: "organizations", clientID: "test-client",
                                              refreshToken: "rt-new-after-sign-in", accessToken: "at-unknown", expiresAt: now - 1,
                                              now: OutboxDatabase.milliseconds(Date()))
            deadline = Date().addingTimeInterval(20)
            while Date() < deadline, try mailbox.messageCount() > 0 { usleep(100_000) }
            #expect(try mailbox.messageCount() == 0)
        }
    }

    @Test func theSentCopyIsAppendedAndFoundOverXOAUTH2() throws {
        let now = OutboxDatabase.milliseconds(Date())
        try withMailbox(refresh: ["rt-seed"], storedRefresh: "rt-seed", storedAccess: "at-expired", expiresAt: now - 1) { oauth, mailbox, database in
            try mailbox.createFolder("Sent")
            var endpoint = try MailboxEndpoint.sentCopy(folder: "Sent", url: "imap://127.0.0.1:\(mailbox.imapPort)", smtpHost: nil,
                                                        username: DovecotServer.user, password: "", verifyTLS: true, caFile: nil)
            endpoint.oauth = StoredOAuthTokens(database: try database.open()).mailboxOAuth(owner: "alice")
            let message = Array("Message-ID: <copy-1@outbox.test>\r\nSubject: Arve\r\n\r\nTere\r\n".utf8)
            try IMAPAppend.append(message, to: endpoint)
            // Dovecot keeps Maildir files with bare LF line ends.
            #expect(try mailbox.messages(inFolder: "Sent").map { $0.filter { $0 != 13 } } == [message.filter { $0 != 13 }])
            #expect(try IMAPSentSearch.contains(messageID: "<copy-1@outbox.test>", in: endpoint))
            #expect(try !IMAPSentSearch.contains(messageID: "<other@outbox.test>", in: endpoint))
            #expect(try refreshes(oauth).count == 1, "one refresh serves every later login")
            #expect(mailbox.log().contains("method=XOAUTH2"))
        }
    }
}
