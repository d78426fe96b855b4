import Foundation
import OutboxTestSupport
import OutboxTransport
import Testing

/// The RFC 8628 polling rules of ``OAuthClient`` against the loopback OAuth server.
@Suite(.timeLimit(.minutes(10)))
struct DeviceFlowTests {
    private func client(_ server: LoopbackServer) throws -> OAuthClient {
        try OAuthClient(authority: OAuthAuthority(url: server.url), clientID: "test-client")
    }

    /// A fake clock advanced by each sleep: the server sees every poll as too fast and
    /// answers slow_down, and each one must add 5 s to the interval until the code expires.
    @Test func slowDownAddsFiveSecondsUntilTheCodeExpires() throws {
        try LoopbackServer.with("oauth_server.py", ["--expires-in", "30"]) { server in
            let client = try client(server)
            let authorization = try client.requestDeviceAuthorization()
            #expect(authorization.interval == .seconds(1) && authorization.expiresIn == .seconds(30))
            var clock: Int64 = 1_000_000
            var intervals: [Duration] = []
            #expect(throws: OAuthError.self) {
                _ = try client.pollForTokens(authorization, now: { clock }, sleep: { clock += Int64($0.components.seconds) * 1000 },
                                             onPoll: { intervals.append($0) })
            }
            #expect(intervals == [.seconds(1), .seconds(6), .seconds(11)])
            #expect(try server.events("token").map { $0["answer"] as? String } == ["slow_down", "slow_down", "slow_down"])
        }
    }

    @Test func expiredTokenAndAccessDeniedEndPolling() throws {
        for (outcome, code) in [("expired_token", OAuthError.Code.expiredToken), ("access_denied", .accessDenied)] {
            try LoopbackServer.with("oauth_server.py", ["--device-outcome", outcome]) { server in
                let client = try client(server)
                let authorization = try client.requestDeviceAuthorization()
                do {
                    _ = try client.pollForTokens(authorization)
                    Issue.record("\(outcome) should end polling with an error")
                } catch let error as OAuthError {
                    #expect(error.code == code)
                    #expect(error.serverError == outcome)
                }
            }
        }
    }

    @Test func authoritiesMustBeHTTPSOrLoopback() throws {
        #expect(throws: Never.self) { try OAuthAuthority(url: "http://127.0.0.1:8080", tenant: "contoso.onmicrosoft.com") }
        #expect(throws: Never.self) { try OAuthAuthority(url: "https://login.microsoftonline.com/") }
        for bad in ["http://login.example.com", "http://127.0.0.1.evil.com", "ftp://127.0.0.1", "https://user@host", "http://127.0.0.1@evil.com"] {
            #expect(throws: OAuthError.self) { try OAuthAuthority(url: bad) }
        }
        #expect(throws: OAuthError.self) { try OAuthAuthority(url: "https://login.microsoftonline.com", tenant: "a/b") }
        #expect(try OAuthAuthority().tokenURL == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token")
    }
}
