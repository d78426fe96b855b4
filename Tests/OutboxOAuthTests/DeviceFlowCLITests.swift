import Foundation
import OutboxTestSupport
import OutboxCore
import OutboxStore
import Testing

/// `outbox profile oauth` through the real binary against the loopback OAuth server.
@Suite(.timeLimit(.minutes(10)))
struct DeviceFlowCLITests {
    @Test func deviceFlowStoresTokensHonoursSlowDownAndPrintsNoToken() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py", ["--pending", "1", "--slow-down", "1", "--user-code", "ABCD-EFGH"]) { server in
            let result = try OutboxBinary(database: database.path).run(
                ["profile", "oauth", "alice", "--authority", server.url, "--client-id", "test-client"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("ABCD-EFGH"))
            #expect(result.stdout.contains("https://microsoft.com/devicelogin"))
            #expect(result.stdout.contains("expires in 15 min"))

            let issued = try #require(try server.events("token").last { $0["answer"] as? String == "tokens" })
            let access = try #require(issued["access_token"] as? String)
            let refresh = try #require(issued["refresh_token"] as? String)
            let deviceCode = try #require(try server.events("device_code").first?["device_code"] as? String)
            for secret in [access, refresh, deviceCode] {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
            }

            let outbox = try database.open()
            let columns = try #require(try outbox.oauthColumns(owner: "alice"))
            #expect(columns.accessToken == access && columns.refreshToken == refresh)
            #expect(columns.authority == server.url && columns.tenant == "organizations" && columns.clientID == "test-client")
            let expiresAt = try #require(columns.expiresAt)
            #expect(abs(expiresAt - OutboxDatabase.milliseconds(Date()) - 3_600_000) < 60_000)
            let fields = try #require(try outbox.profileFields(owner: "alice"))
            #expect(fields.mode == .m365OAuth && fields.host == "smtp.office365.com" && fields.port == 587 && fields.tls == .starttls)

            // Polls: pending, slow_down, tokens. The wait after slow_down is interval 1 s + 5 s.
            let polls = try server.events("token")
            #expect(polls.map { $0["answer"] as? String } == ["authorization_pending", "slow_down", "tokens"])
            #expect(polls.allSatisfy { $0["too_fast"] == nil })
            let gaps = polls.compactMap { $0["gap"] as? Double }
            #expect(gaps.count == 3 && gaps[0] >= 0.9 && gaps[1] >= 0.9 && gaps[1] < 4 && gaps[2] >= 5.9)
        }
    }

    @Test func declinedSignInStoresNothing() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py", ["--device-outcome", "access_denied"]) { server in
            let result = try OutboxBinary(database: database.path).run(
                ["profile", "oauth", "bob", "--authority", server.url, "--client-id", "test-client"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("declined"))
            #expect(try database.open().oauthColumns(owner: "bob") == nil)
        }
    }

    @Test func plainHTTPToARemoteAuthorityAndAMissingClientIDAreRefused() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let outbox = OutboxBinary(database: database.path)
        let remote = try outbox.run(["profile", "oauth", "carol", "--authority", "http://login.example.com", "--client-id", "x"])
        #expect(remote.status == 64)
        #expect(remote.stderr.contains("not loopback"))
        let noClient = try outbox.run(["profile", "oauth", "carol", "--authority", "http://127.0.0.1:9"])
        #expect(noClient.status == 64)
        #expect(noClient.stderr.contains("--client-id is required"))
    }
}
