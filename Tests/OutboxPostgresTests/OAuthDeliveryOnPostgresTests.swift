import Foundation
import OutboxTestSupport
import Testing

/// A Microsoft 365 owner (XOAUTH2) on a PostgreSQL outbox, end to end through the binary as
/// the guide sets it up: preset, device-code sign-in, then `serve --once` sends with the
/// stored access token; once that token is due, the sending node refreshes it at the
/// authority, stores it for the other nodes, and sends with it.
@Suite(.serialized, .timeLimit(.minutes(10))) struct OAuthDeliveryOnPostgresTests {
    @Test func aMicrosoft365OwnerSendsWithTheStoredTokenThenWithARefreshedOne() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let outbox = OutboxProcess(database: cluster.url(database: "outbox"), environment: ["OUTBOX_SECRETS_KEY_FILE": fixture.directory + "/secrets.key"])
        let authority = try LoopbackServer("oauth_server.py", ["--tenant", "firma.onmicrosoft.com"])
        defer { authority.stop() }
        // The server accepts, for this user only, the access tokens the authority issued.
        let server = try TestSMTPServer(["--user", "anne@firma.onmicrosoft.com", "--tokens-from", authority.logPath], tls: "starttls")
        defer { server.stop() }
        let config = try fixture.file("send.conf", Array("[dkim]\nsign-modes = none\n".utf8))
        func batch(_ key: String) throws -> String {
            try fixture.file("\(key).json", Array(#"{"key": "\#(key)", "owner": "anne", "subject": "Arve", "text": "Tere", "to": ["klient@example.ee"]}"#.utf8))
        }
        let first = try batch("A1"), second = try batch("A2")
        let port = server.port, caFile = server.certificatePath, authorityURL = authority.url
        let outputs = try await onDedicatedThread {
            var outputs: [String] = []
            func run(_ arguments: [String]) throws {
                let result = try outbox.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                outputs += [result.stdout, result.stderr]
            }
            try run(["secrets", "init"])
            try run(["profile", "set", "anne", "--preset", "office365", "--user", "anne@firma.onmicrosoft.com", "--from", "anne@firma.onmicrosoft.com"])
            try run(["profile", "set", "anne", "--host", "127.0.0.1", "--port", "\(port)", "--ca-file", caFile])
            try run(["profile", "oauth", "anne", "--client-id", "test-client", "--tenant", "firma.onmicrosoft.com", "--authority", authorityURL])
            try run(["enqueue", first])
            try run(["serve", "--once", "--config", config])
            // The stored access token is due now: the next send refreshes it first.
            _ = try cluster.sql("UPDATE profile SET oauth_expires_at = 0 WHERE owner = 'anne'", database: "outbox")
            try run(["enqueue", second])
            try run(["serve", "--once", "--config", config])
            return outputs
        }
        #expect(try server.messages().count == 2)
        let auth = try server.events().filter { $0.event == "auth" }
        #expect(auth.count == 2 && auth.allSatisfy { $0.mechanism == "XOAUTH2" && $0.success == true }, "\(auth)")
        let tokens = try authority.events("token")
        #expect(tokens.filter { $0["grant_type"] as? String == "refresh_token" }.count == 1, "one refresh, by the node that sent")
        let issued = tokens.compactMap { $0["access_token"] as? String }
        #expect(issued.count == 2)
        let stored = try cluster.sql("SELECT profile::text FROM profile WHERE owner = 'anne'", database: "outbox")
        for token in issued + tokens.compactMap({ $0["refresh_token"] as? String }) {
            #expect(!outputs.contains { $0.contains(token) } && !stored.contains(token), "no token in any output or in clear in the database")
        }
        #expect(try cluster.sql("SELECT state, count(*) FROM message GROUP BY state", database: "outbox") == "sent|2")
    }
}
