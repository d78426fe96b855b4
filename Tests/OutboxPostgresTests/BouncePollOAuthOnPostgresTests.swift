import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox bounces poll --oauth OWNER --db postgres://…` through the binary, as the SQLite
/// test (OutboxOAuthTests' MailboxOAuthTests): a real Dovecot on loopback whose oauth2 passdb
/// checks each bearer token at the loopback OAuth authority, and the owner's tokens sealed on
/// the PostgreSQL outbox's profile, refreshed at that authority when due.
@Suite(.serialized, .timeLimit(.minutes(10))) struct BouncePollOAuthOnPostgresTests {
    private static let hour: Int64 = 3_600_000

    /// A PostgreSQL outbox with a secrets key, the authority (accepting `access`es and
    /// `refresh`es), Dovecot checking tokens against it with two bounces (sample 01) in it,
    /// and `alice`'s profile holding `storedRefresh` / `storedAccess`.
    private func withMailbox(accepting access: [String] = [], refresh: [String], storedRefresh: String, storedAccess: String, expiresAt: Int64,
                             _ body: @escaping @Sendable (LoopbackServer, DovecotServer, PostgresCluster, OutboxProcess, PostgresProfileStore) throws -> Void)
        async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster), postgres = try #require(fixture.postgres)
        let keyFile = fixture.directory + "/secrets.key"
        let outbox = OutboxProcess(database: cluster.url(database: "outbox"), environment: ["OUTBOX_SECRETS_KEY_FILE": keyFile])
        #expect(try await outbox.run(["secrets", "init"]).status == 0)
        let arguments = access.flatMap { ["--access-token", $0] } + refresh.flatMap { ["--refresh-token", $0] } + ["--token-user", DovecotServer.user]
        try await onDedicatedThread {
            try LoopbackServer.with("oauth_server.py", arguments) { oauth in
                let mailbox = try DovecotServer(tokenInfoURL: oauth.url + "/tokeninfo?access_token=")
                defer { mailbox.stop() }
                let profiles = PostgresProfileStore(store: postgres, secrets: SecretVault(source: .file(keyFile)))
                try profiles.saveOAuthAuthorisation(owner: "alice", mode: .m365OAuth, provider: nil, authority: oauth.url, tenant: "organizations",
                                                    clientID: "test-client", clientSecretCredential: nil, refreshToken: storedRefresh,
                                                    accessToken: storedAccess, expiresAt: expiresAt, now: OutboxDatabase.milliseconds(Date()))
                let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("BounceSamples/01-postfix-dsn-failed.eml")
                let bytes = Array(try Data(contentsOf: sample))
                try mailbox.deliver(bytes, name: "1700000001.M1P1.test")
                try mailbox.deliver(bytes + Array("\n".utf8), name: "1700000002.M1P1.test")
                try body(oauth, mailbox, cluster, outbox, profiles)
            }
        }
    }

    private static func poll(_ outbox: OutboxProcess, _ url: String) throws -> OutboxProcess.Result {
        try outbox.run(["bounces", "poll", "--url", url, "--user", DovecotServer.user, "--oauth", "alice", "--allow-plaintext", "--json"])
    }

    private static func refreshes(_ oauth: LoopbackServer) throws -> [[String: Any]] {
        try oauth.events("token").filter { $0["grant_type"] as? String == "refresh_token" }
    }

    /// No token the authority handed out (nor the stored ones) appears in `text`.
    private static func leaksNoToken(_ text: String, _ oauth: LoopbackServer, also: [String]) throws -> Bool {
        let issued = try oauth.events("token").flatMap { [$0["access_token"] as? String, $0["refresh_token"] as? String].compactMap { $0 } }
        return !(issued + also).contains { text.contains($0) }
    }

    @Test func aLiveTokenLogsInOverIMAPAndTheBouncesAreRecordedThenDeleted() async throws {
        let now = OutboxDatabase.milliseconds(Date())
        try await withMailbox(accepting: ["at-live-4d2e"], refresh: ["rt-seed"], storedRefresh: "rt-seed", storedAccess: "at-live-4d2e",
                              expiresAt: now + Self.hour) { oauth, mailbox, cluster, outbox, _ in
            let result = try Self.poll(outbox, "imap://127.0.0.1:\(mailbox.imapPort)/INBOX")
            #expect(result.status == 0, "\(result.stderr)")
            #expect((try? result.json() as? [String: Any])?["recorded"] as? Int == 2, "\(result.stdout)")
            #expect(try mailbox.messageCount() == 0, "recorded bounces are deleted")
            #expect(try cluster.sql("SELECT count(*) FROM bounce", database: "outbox") == "2")
            #expect(mailbox.log().contains("user=<\(DovecotServer.user)>, method=XOAUTH2"), "\(mailbox.log())")
            #expect(try oauth.events("tokeninfo").map { $0["answer"] as? String } == ["active"])
            #expect(try Self.refreshes(oauth).isEmpty, "a token valid for an hour is used as it is")
            #expect(try Self.leaksNoToken(result.stdout + result.stderr, oauth, also: ["at-live-4d2e", "rt-seed"]))
        }
    }

    @Test func anExpiredTokenIsRefreshedOnceStoredSealedAndUsedOverPOP3() async throws {
        let now = OutboxDatabase.milliseconds(Date())
        try await withMailbox(refresh: ["rt-seed"], storedRefresh: "rt-seed", storedAccess: "at-expired-77aa", expiresAt: now - 1000) {
            oauth, mailbox, cluster, outbox, profiles in
            let result = try Self.poll(outbox, "pop3://127.0.0.1:\(mailbox.pop3Port)")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try mailbox.messageCount() == 0)
            let grants = try Self.refreshes(oauth)
            #expect(grants.count == 1, "\(grants)")
            #expect(try oauth.events("tokeninfo").map { $0["answer"] as? String } == ["active"], "the expired token is never offered")
            let columns = try #require(try profiles.oauthColumns(owner: "alice"))
            #expect(columns.accessToken == grants.first?["access_token"] as? String && columns.refreshToken == grants.first?["refresh_token"] as? String)
            let row = try cluster.sql("SELECT profile::text FROM profile WHERE owner = 'alice'", database: "outbox")
            #expect(!row.isEmpty && !row.contains(columns.accessToken ?? "-") && !row.contains(columns.refreshToken ?? "-"), "stored sealed")
            #expect(try Self.leaksNoToken(result.stdout + result.stderr, oauth, also: ["at-expired-77aa", "rt-seed"]))
        }
    }
}
