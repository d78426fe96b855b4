import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import Testing

/// `m365-oauth` profiles send with the access token stored by `outbox profile oauth`,
/// through XOAUTH2; a token that cannot be refreshed holds the profile with a clear reason.
@Suite(.serialized) struct OAuthDeliveryTests {
    private func signIn(_ fixture: OutboxFixture, accessToken: String, expiresAt: Int64) throws {
        try fixture.outbox.saveOAuthAuthorisation(
            owner: "anne", authority: "http://127.0.0.1:1", tenant: "organizations", clientID: "client-1",
            refreshToken: "refresh-1", accessToken: accessToken, expiresAt: expiresAt, now: OutboxDatabase.milliseconds(Date()))
    }

    @Test func theStoredAccessTokenAuthenticatesWithXOAUTH2() throws {
        let fixture = try OutboxFixture()
        let server = try SMTPTestServer(["--user", "anne@firma.example", "--token", "access-token-1"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("anne", mode: "m365-oauth", port: server.port, username: "anne@firma.example", perMinute: 6000, from: "anne@firma.example")  // not the preset's 30 a minute, 2 s apart
        try signIn(fixture, accessToken: "access-token-1", expiresAt: OutboxDatabase.milliseconds(Date()) + 3_600_000)
        try fixture.enqueue(2, owner: "anne")
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.accessTokens = StoredOAuthTokens(database: fixture.outbox)
        let summary = DeliveryEngine(database: fixture.outbox, configuration: configuration).drain()
        #expect(summary.sent == 2)
        #expect(try server.messages().count == 2)
        let auth = try server.events().filter { $0.event == "auth" }
        #expect(auth.first?.mechanism == "XOAUTH2" && auth.first?.success == true)
    }

    @Test func anExpiredTokenThatCannotBeRefreshedHoldsTheProfile() throws {
        let fixture = try OutboxFixture()
        let server = try SMTPTestServer(["--user", "anne@firma.example", "--token", "access-token-1"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("anne", mode: "m365-oauth", port: server.port, username: "anne@firma.example", perMinute: 6000, from: "anne@firma.example")  // not the preset's 30 a minute, 2 s apart
        try signIn(fixture, accessToken: "stale-token", expiresAt: OutboxDatabase.milliseconds(Date()) - 1000)
        try fixture.enqueue(2, owner: "anne")
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.accessTokens = StoredOAuthTokens(database: fixture.outbox)
        let summary = DeliveryEngine(database: fixture.outbox, configuration: configuration).drain()
        #expect(summary.sent == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'profile-held' AND detail LIKE '%OAuth for owner anne%'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE detail LIKE '%stale-token%' OR detail LIKE '%refresh-1%'") == 0)
        #expect(try fixture.states()["failed"] == nil)
        #expect(try server.messages().isEmpty)
    }
}

/// Hands out a refused token first and the server's token after a forced refresh,
/// counting the refreshes: the engine's side of "refresh once more on a 535".
private final class RotatingTokens: AccessTokenSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: String
    private let next: String
    private(set) var refreshes = 0

    init(current: String, next: String) {
        self.current = current
        self.next = next
    }

    func accessToken(owner: String, now: Int64) throws -> String { lock.withLock { current } }

    func refreshAfterRejection(owner: String, rejected: String, now: Int64) throws -> String {
        lock.withLock {
            refreshes += 1
            current = next
            return current
        }
    }
}

@Suite(.serialized) struct OAuthRejectionTests {
    @Test func aRefusedTokenIsRefreshedOnceAndTheSendRetried() throws {
        let fixture = try OutboxFixture()
        let server = try SMTPTestServer(["--user", "anne@firma.example", "--token", "fresh-token"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("anne", mode: "m365-oauth", port: server.port, username: "anne@firma.example", perMinute: 6000, from: "anne@firma.example")  // not the preset's 30 a minute, 2 s apart
        try fixture.enqueue(2, owner: "anne")
        let tokens = RotatingTokens(current: "revoked-token", next: "fresh-token")
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.accessTokens = tokens
        let summary = DeliveryEngine(database: fixture.outbox, configuration: configuration).drain()
        #expect(summary.sent == 2 && summary.held == 0)
        #expect(tokens.refreshes == 1)
        #expect(try server.messages().count == 2)
    }

    @Test func aTokenRefusedAgainAfterTheRefreshHoldsTheProfile() throws {
        let fixture = try OutboxFixture()
        let server = try SMTPTestServer(["--user", "anne@firma.example", "--token", "fresh-token"])
        defer { server.stop(); fixture.cleanUp() }
        try fixture.setProfile("anne", mode: "m365-oauth", port: server.port, username: "anne@firma.example", perMinute: 6000, from: "anne@firma.example")  // not the preset's 30 a minute, 2 s apart
        try fixture.enqueue(1, owner: "anne")
        let tokens = RotatingTokens(current: "revoked-token", next: "also-revoked")
        var configuration = OutboxFixture.configuration(workers: 1)
        configuration.accessTokens = tokens
        let summary = DeliveryEngine(database: fixture.outbox, configuration: configuration).drain()
        #expect(summary.sent == 0 && summary.held == 1)
        #expect(tokens.refreshes == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'profile-held'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE detail LIKE '%revoked%'") == 0)
    }
}
