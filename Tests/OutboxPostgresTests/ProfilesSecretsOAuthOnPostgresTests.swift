import Foundation
import OutboxCore
import OutboxDaemon
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox profile delete|resolve|test|oauth`, `outbox settings` and `outbox secrets` with
/// `--db postgres://…` through the real binary: the same output and exit status as on
/// SQLite; OAuth tokens sealed as there; a token refresh serialised across nodes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ProfilesSecretsOAuthOnPostgresTests {
    /// Every step on both stores, with the same secrets key file, prints the same.
    @Test func profileSettingsAndSecretsCommandsPrintTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let server = try TestSMTPServer()
        defer { server.stop() }
        let key = ["OUTBOX_SECRETS_KEY_FILE": sqlite.directory + "/shared-secrets.key"]
        let onSQLite = OutboxProcess(database: sqlite.directory + "/outbox.db", environment: key)
        let onPostgres = OutboxProcess(database: try #require(postgres.cluster).url(database: "outbox"), environment: key)
        let steps: [[String]] = [
            ["secrets", "status"],  // no key yet: exit 1
            ["secrets", "init"],  // SQLite creates the key; PostgreSQL publishes the same file's key
            ["secrets", "status"],
            ["profile", "set", "globex", "--host", "127.0.0.1", "--port", "\(server.port)", "--tls", "none", "--from", "info@globex.example",
             "--per-minute", "30"],
            ["profile", "set", "acme", "--from-name", "Acme", "--max-connections", "2"],
            ["settings", "show"],
            ["settings", "set", "global-profile", "nobody"],  // no such profile: refused
            ["settings", "set", "global-profile", "globex"],
            ["settings", "show"],
            ["profile", "resolve", "acme"],
            ["profile", "resolve", "acme", "--json"],
            ["profile", "resolve", "stranger"],
            ["profile", "test", "acme", "--timeout", "20"],
            ["profile", "list"],
            ["profile", "delete", "acme"],
            ["profile", "delete", "acme"],  // gone: exit 1
            ["profile", "list"],
            ["settings", "set", "global-profile", "--unset"],
            ["settings", "show"],
            ["secrets", "status"],
        ]
        for arguments in steps {
            let expected = try await onSQLite.run(arguments), actual = try await onPostgres.run(arguments)
            #expect(actual.status == expected.status, "\(arguments): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(arguments)")
            #expect(actual.stderr == expected.stderr, "\(arguments)")
        }
        // `profile test` connected to the server once per store and sent nothing.
        #expect(try server.messages().isEmpty)
    }

    /// `outbox profile oauth` on PostgreSQL stores the tokens sealed (never in clear), `secrets
    /// status` counts and opens them, and `secrets rotate-key` reseals them; two nodes whose
    /// access token is due refresh it once at the authority (which revokes a redeemed refresh
    /// token): the second waits for the first and uses what it stored.
    @Test func oauthTokensAreSealedAndOneNodeRefreshesForAll() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let url = cluster.url(database: "outbox"), keyFile = fixture.directory + "/secrets.key"
        let outbox = OutboxProcess(database: url, environment: ["OUTBOX_SECRETS_KEY_FILE": keyFile])
        let server = try LoopbackServer("oauth_server.py", ["--user-code", "WXYZ-1234"])
        defer { server.stop() }
        // No key published yet, none at the key file: nothing can be sealed, nothing is stored.
        let before = try await outbox.run(["profile", "oauth", "alice", "--authority", server.url, "--client-id", "test-client"])
        #expect(before.status == 1 && before.stderr.contains("no secrets key yet: run `outbox secrets init`"), "\(before.stderr)")
        #expect(try cluster.sql("SELECT count(*) FROM profile", database: "outbox") == "0")
        #expect(try await outbox.run(["secrets", "init"]).status == 0)
        let signIn = try await outbox.run(["profile", "oauth", "alice", "--authority", server.url, "--client-id", "test-client"])
        #expect(signIn.status == 0, "\(signIn.stderr)")
        #expect(signIn.stdout.contains("WXYZ-1234") && signIn.stdout.contains("Signed in. Stored the tokens on the profile of owner alice"))
        let issued = try #require(try server.events("token").last { $0["answer"] as? String == "tokens" })
        let refresh = try #require(issued["refresh_token"] as? String), access = try #require(issued["access_token"] as? String)
        #expect(!signIn.stdout.contains(refresh) && !signIn.stdout.contains(access) && !signIn.stderr.contains(refresh))
        // Sealed in the database: neither token appears in any column, in any encoding of the row.
        let row = try cluster.sql("SELECT profile::text FROM profile WHERE owner = 'alice'", database: "outbox")
        #expect(!row.isEmpty && !row.contains(refresh) && !row.contains(access) && !row.contains(Data(refresh.utf8).map { String(format: "%02x", $0) }.joined()))
        #expect(try cluster.sql("SELECT mode, host, port, tls, oauth_client_id FROM profile WHERE owner = 'alice'", database: "outbox")
            == "m365-oauth|smtp.office365.com|587|starttls|test-client")
        let status = try await outbox.run(["secrets", "status"])
        #expect(status.status == 0 && status.stdout.contains("sealed         2 secret(s)"), "\(status.stdout)\(status.stderr)")

        let rotated = try await outbox.run(["secrets", "rotate-key"])
        #expect(rotated.status == 0 && rotated.stdout.hasPrefix("sealed 2 secret(s) to key "), "\(rotated.stdout)\(rotated.stderr)")
        let after = try await outbox.run(["secrets", "status"])
        #expect(after.status == 0 && !after.stdout.contains("cannot open"), "\(after.stdout)")

        // Two nodes, each with its own pool, key and token provider; the access token is due.
        _ = try cluster.sql("UPDATE profile SET oauth_expires_at = 0 WHERE owner = 'alice'", database: "outbox")
        let key = SecretVault(source: .file(keyFile))
        let first = PostgresProfileStore(store: fixture.postgres!, secrets: key)
        let second = PostgresProfileStore(store: try await fixture.secondNode(), secrets: SecretVault(source: .file(keyFile)))
        defer { second.store.close() }
        let now = OutboxDatabase.milliseconds(Date())
        async let a = onDedicatedThread { try StoredOAuthTokens(database: first).accessToken(owner: "alice", now: now) }
        async let b = onDedicatedThread { try StoredOAuthTokens(database: second).accessToken(owner: "alice", now: now) }
        let tokens = try await [a, b]
        let refreshes = try server.events("token").filter { $0["grant_type"] as? String == "refresh_token" }
        #expect(refreshes.count == 1, "\(refreshes)")
        #expect(tokens[0] == tokens[1] && tokens[0] != access)
        let stored = try #require(try second.oauthColumns(owner: "alice"))
        #expect(stored.accessToken == tokens[0] && stored.refreshToken != refresh && stored.tokensUnavailable == nil)
    }
}
