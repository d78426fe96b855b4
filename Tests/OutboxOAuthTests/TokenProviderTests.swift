import OutboxDaemon
import Foundation
import OutboxTestSupport
import OutboxStore
import OutboxTransport
import Testing

/// ``OAuthTokenProvider`` with a real temporary database and the loopback OAuth server.
@Suite(.timeLimit(.minutes(10)))
struct TokenProviderTests {
    private let now: Int64 = 1_800_000_000_000

    /// A database whose owner `alice` was authorised at `server` with the given tokens.
    private func authorised(_ database: TemporaryDatabase, _ server: LoopbackServer, refresh: String, access: String, expiresAt: Int64) throws
        -> DatabaseOAuthStore
    {
        let outbox = try database.open()
        try outbox.saveOAuthAuthorisation(owner: "alice", authority: server.url, tenant: "organizations", clientID: "test-client",
                                          refreshToken: refresh, accessToken: access, expiresAt: expiresAt, now: now)
        return DatabaseOAuthStore(database: outbox)
    }

    private func refreshes(_ server: LoopbackServer) throws -> [[String: Any]] {
        try server.events("token").filter { $0["grant_type"] as? String == "refresh_token" }
    }

    @Test func aTokenValidForMoreThanFiveMinutesIsUsedAsIs() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py", ["--refresh-token", "rt-seed"]) { server in
            let store = try authorised(database, server, refresh: "rt-seed", access: "at-old", expiresAt: now + 301_000)
            #expect(try OAuthTokenProvider().accessToken(owner: "alice", store: store, now: now).value == "at-old")
            #expect(try refreshes(server).isEmpty)
        }
    }

    @Test func aTokenExpiringWithinFiveMinutesIsRefreshedAndTheRotatedRefreshTokenStored() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py", ["--refresh-token", "rt-seed", "--token-lifetime", "3599"]) { server in
            let store = try authorised(database, server, refresh: "rt-seed", access: "at-old", expiresAt: now + 240_000)
            let token = try OAuthTokenProvider().accessToken(owner: "alice", store: store, now: now)
            let grant = try #require(try refreshes(server).first)
            #expect(token.value == grant["access_token"] as? String)
            #expect(grant["scope"] as? String == OAuthAuthority.defaultScope)
            let columns = try #require(try store.database.oauthColumns(owner: "alice"))
            #expect(columns.accessToken == token.value)
            #expect(columns.refreshToken == grant["refresh_token"] as? String && columns.refreshToken != "rt-seed")
            #expect(columns.expiresAt == now + 3_599_000)
            // Valid now: the next call uses it without another refresh.
            #expect(try OAuthTokenProvider().accessToken(owner: "alice", store: store, now: now + 60_000) == token)
            #expect(try refreshes(server).count == 1)
        }
    }

    @Test func forcedRefreshReplacesARejectedTokenOnce() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py", ["--refresh-token", "rt-seed"]) { server in
            let store = try authorised(database, server, refresh: "rt-seed", access: "at-rejected", expiresAt: now + 3_000_000)
            let provider = OAuthTokenProvider()
            let rejected = try provider.accessToken(owner: "alice", store: store, now: now)
            let fresh = try provider.forceRefresh(owner: "alice", rejected: rejected, store: store, now: now)
            #expect(fresh.value != "at-rejected")
            // A second worker that met the same 535 gets the new token without a second refresh.
            #expect(try provider.forceRefresh(owner: "alice", rejected: rejected, store: store, now: now) == fresh)
            #expect(try refreshes(server).count == 1)
        }
    }

    @Test func aRevokedRefreshTokenAsksForReauthorisationWithoutShowingIt() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try LoopbackServer.with("oauth_server.py") { server in
            let store = try authorised(database, server, refresh: "rt-revoked-7f3a", access: "at-expired-9c1b", expiresAt: now - 1)
            do {
                _ = try OAuthTokenProvider().accessToken(owner: "alice", store: store, now: now)
                Issue.record("a revoked refresh token must not yield a token")
            } catch let error as OAuthError {
                #expect(error.code == .reauthorisationNeeded && !error.isTemporary)
                #expect(error.serverError == "invalid_grant")
                #expect(error.reason.contains("re-authorise with `outbox profile oauth alice`"))
                let texts = [error.description, error.reason, String(reflecting: error), "\(error)"]
                #expect(texts.allSatisfy { !$0.contains("rt-revoked-7f3a") && !$0.contains("at-expired-9c1b") })
            }
            #expect(try store.database.oauthColumns(owner: "alice")?.refreshToken == "rt-revoked-7f3a")
        }
    }

    @Test func missingStateAndAnUnreachableAuthority() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let outbox = try database.open()
        let store = DatabaseOAuthStore(database: outbox)
        #expect(throws: OAuthError.self) { try OAuthTokenProvider().accessToken(owner: "nobody", store: store, now: now) }
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused.
        try outbox.saveOAuthAuthorisation(owner: "alice", authority: "http://127.0.0.1:9", tenant: "organizations", clientID: "c",
                                          refreshToken: "rt", accessToken: "at", expiresAt: now, now: now)
        do {
            _ = try OAuthTokenProvider().accessToken(owner: "alice", store: store, now: now)
            Issue.record("an unreachable authority must fail")
        } catch {
            #expect(error.code == .unavailable && error.isTemporary)
        }
    }

    @Test func aRefreshTokenRotatedByAnotherProcessIsPickedUp() throws {
        try LoopbackServer.with("oauth_server.py", ["--refresh-token", "rt-seed"]) { server in
            let store = RotatingStore(authority: try OAuthAuthority(url: server.url))
            let token = try OAuthTokenProvider().accessToken(owner: "alice", store: store, now: now)
            #expect(try refreshes(server).map { $0["answer"] as? String } == ["invalid_grant", "tokens"])
            #expect(store.saved.map(\.accessToken) == [token])
        }
    }
}
