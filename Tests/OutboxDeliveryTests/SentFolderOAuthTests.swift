import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import OutboxTransport
import Testing

/// Issue #18 part 5: an `m365-oauth` profile's Sent folder over XOAUTH2. The SMTP server
/// drops the connection after the final "." (outcome unknown); the Sent folder is a real
/// Dovecot checking bearer tokens at the loopback OAuth server. The look logs in with the
/// profile's own tokens and finds the provider's copy; Outbox appends none of its own.
@Suite(.serialized) struct SentFolderOAuthTests {
    @Test func anUnknownOutcomeIsLookedUpInSentWithTheProfilesTokensAndNoCopyIsAppended() throws {
        try LoopbackServer.with("oauth_server.py", ["--access-token", "at-live-6c1d", "--refresh-token", "rt-seed",
                                                     "--token-user", DovecotServer.user]) { oauth in
            let dovecot = try DovecotServer(tokenInfoURL: oauth.url + "/tokeninfo?access_token=")
            defer { dovecot.stop() }
            try dovecot.createFolder("Sent")
            let fixture = try OutboxFixture()
            let smtp = try SMTPTestServer(["--user", DovecotServer.user, "--token", "at-live-6c1d", "--drop-in-data", "--drop-count", "1"])
            defer { smtp.stop(); fixture.cleanUp() }
            try fixture.setProfile("anne", mode: "m365-oauth", port: smtp.port, username: DovecotServer.user, perMinute: 6000,
                                   from: "anne@firma.example")
            try fixture.sql.write { db in
                try db.execute(sql: "UPDATE profile SET sent_copy_folder = 'Sent', sent_copy_url = ? WHERE owner = 'anne'",
                               arguments: ["imap://127.0.0.1:\(dovecot.imapPort)"])
            }
            try fixture.outbox.saveOAuthAuthorisation(
                owner: "anne", authority: oauth.url, tenant: "organizations", clientID: "test-client", refreshToken: "rt-seed",
                accessToken: "at-live-6c1d", expiresAt: OutboxDatabase.milliseconds(Date()) + 3_600_000, now: OutboxDatabase.milliseconds(Date()))
            try fixture.enqueue(2, owner: "anne")
            var settings = OutboxFixture.configuration(workers: 1)
            settings.accessTokens = StoredOAuthTokens(database: fixture.outbox)
            settings.unknownOutcome.checkAfter = .seconds(2)
            settings.sentCopyGrace = .seconds(2)

            let first = DeliveryEngine(database: fixture.outbox, configuration: settings).drain()
            #expect(first.unknown == 1 && first.sent == 1, "the first message is dropped after its final dot, the second accepted")
            let parked = try #require(try fixture.outbox.unknownOutcomes().first)
            #expect(parked.action == .checkSent, "an m365-oauth profile with a Sent folder can be looked in")

            // Microsoft 365 files its own copy of what it accepted: put the received bytes in Sent.
            let received = try #require(try smtp.messages().first { $0.outcome == "dropped" }?.bytes)
            let folder = URL(fileURLWithPath: dovecot.maildir + "/.Sent/new/1700000001.M1P1.test")
            try Data(received).write(to: folder)
            chmod(folder.path, 0o644)
            Thread.sleep(forTimeInterval: 2.2)
            let second = DeliveryEngine(database: fixture.outbox, configuration: settings).drain()
            #expect(second.sent == 0 && second.unknown == 0)
            #expect(try fixture.states() == ["sent": 2])
            #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'sent' AND detail LIKE 'accepted: found <%> in imap://127.0.0.1:%/Sent%'") == 1)
            #expect(dovecot.log().contains("user=<\(DovecotServer.user)>, method=XOAUTH2"), "\(dovecot.log())")
            #expect(try dovecot.messages(inFolder: "Sent").count == 1, "Outbox appends no copy of its own for Microsoft 365")
            #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind LIKE 'sent-cop%'") == 0)
            #expect(try smtp.messages().count == 2, "nothing was sent twice")
            #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE detail LIKE '%at-live-6c1d%' OR detail LIKE '%rt-seed%'") == 0)
        }
    }
}
