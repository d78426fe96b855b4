import Foundation
import GRDB
import OutboxCore
import OutboxDaemon
import OutboxStore
import OutboxTestSupport
import Testing

/// Issue #18 parts 1 and 2 against a real aiosmtpd: a Gmail 421 4.7.28 burst slows the
/// profile (events, `send_pace`, the server's arrival times) and it ramps back after
/// accepted messages; per-minute limits are spread evenly; a rolling recipient window holds
/// across a restart.
@Suite(.serialized) struct ProviderPaceTests {
    @Test func aGmailRateLimitBurstSlowsTheProfileAndItRampsBack() throws {
        let fixture = try OutboxFixture()
        let gmail = "421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. "
            + "To protect our users from spam, mail sent from your IP address has been temporarily rate limited."
        let smtp = try SMTPTestServer(["--data-reply", gmail, "--data-reply-count", "2"])
        defer { smtp.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: smtp.port)
        try fixture.enqueue(8, owner: "alice")
        var settings = OutboxFixture.configuration(workers: 1)
        settings.pace.pause = .seconds(1)
        settings.pace.rampAfter = 3
        settings.pace.interval = .milliseconds(400)

        let engine = DeliveryEngine(database: fixture.outbox, configuration: settings)
        try engine.start()
        var slowedWhileRunning: [SendPaceRecord] = []
        let deadline = Date().addingTimeInterval(60)
        while try fixture.states()["sent"] ?? 0 < 8, Date() < deadline {
            if slowedWhileRunning.isEmpty { slowedWhileRunning = try fixture.outbox.sendPaces() }
            Thread.sleep(forTimeInterval: 0.1)
        }
        _ = engine.stop()
        #expect(try fixture.states() == ["sent": 8])
        // What `outbox status` shows while the profile is slowed.
        #expect(slowedWhileRunning.first?.owner == "alice" && slowedWhileRunning.first?.reason.hasPrefix("gmail-4.7.28: 421 4.7.28") == true)

        let paced = try fixture.sql.read { db in try String.fetchAll(db, sql: "SELECT detail FROM event WHERE kind = 'paced' ORDER BY id") }
        #expect(paced.count == 4, "\(paced)")
        #expect(paced.prefix(2).allSatisfy { $0.hasPrefix("slowed: Gmail says unusual rate of unsolicited mail") }, "\(paced)")
        #expect(paced[0].contains("level 1") && paced[1].contains("level 2"))
        #expect(paced[2].hasPrefix("ramped up to level 1 after 3 accepted messages"))
        #expect(paced[3] == "ramped up: full speed again after 3 accepted messages in a row")
        #expect(try fixture.outbox.sendPaces().isEmpty)

        // The server saw the pauses and the spacing: 1 s after the first refusal, 2 s after the
        // second, then sends 0.8 s apart at level 2 until it ramped down a level.
        let arrivals = try smtp.messages().compactMap { event in event.at.map { (event.outcome ?? "", $0) } }
        #expect(arrivals.map(\.0) == ["replied", "replied"] + Array(repeating: "accepted", count: 8))
        let times = arrivals.map(\.1)
        #expect(times[1] - times[0] >= 0.95, "\(times)")
        #expect(times[2] - times[1] >= 1.9, "\(times)")
        #expect(zip(times[3...4], times[2...3]).allSatisfy { $0 - $1 >= 0.75 }, "\(times)")
    }

    @Test func aPerMinuteLimitIsSpreadEvenlyInsteadOfBursting() async throws {
        let fixture = try OutboxFixture(), smtp = try SMTPTestServer()
        defer { smtp.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: smtp.port, perMinute: 120)
        try fixture.enqueue(4, owner: "alice")
        let engine = DeliveryEngine(database: fixture.outbox, configuration: OutboxFixture.configuration(workers: 2))
        try engine.start()
        // The spacing is read from the server's receipt times, so how late this loop looks does not matter.
        #expect(try await eventually(120) { try fixture.states()["sent"] ?? 0 >= 4 })
        _ = engine.stop()
        let times = try smtp.messages().compactMap(\.at)
        #expect(times.count == 4)
        #expect(zip(times.dropFirst(), times).allSatisfy { $0 - $1 >= 0.4 }, "\(times)")  // 60 s / 120 = 0.5 s apart
    }

    @Test func aRollingRecipientWindowHoldsAcrossARestart() throws {
        let fixture = try OutboxFixture(), smtp = try SMTPTestServer()
        defer { smtp.stop(); fixture.cleanUp() }
        try fixture.setProfile("alice", port: smtp.port)
        try fixture.sql.write { db in try db.execute(sql: "UPDATE profile SET recipients_per_day = 3 WHERE owner = 'alice'") }
        try fixture.enqueue(5, owner: "alice")

        let first = DeliveryEngine(database: fixture.outbox, configuration: OutboxFixture.configuration(workers: 2)).drain()
        #expect(first.sent == 3 && first.rateLimited >= 1)
        // A new daemon on the same database: the window is counted from the recorded events.
        let restarted = DeliveryEngine(database: fixture.outbox, configuration: OutboxFixture.configuration(workers: 2))
        try restarted.recover()
        try fixture.sql.write { db in try db.execute(sql: "DELETE FROM owner_pause") }  // even without the stored pause
        let second = restarted.drain()
        #expect(second.sent == 0 && second.rateLimited >= 1)
        #expect(try smtp.messages().count == 3)
        let reason = try fixture.sql.read { db in try String.fetchOne(db, sql: "SELECT reason FROM owner_pause WHERE owner = 'alice'") }
        #expect(reason == "owner alice reached its limit of 3 recipients per 24 hours", "\(reason ?? "-")")
        // The window opens 24 hours after the oldest counted send, not at midnight.
        let times = try fixture.sql.read { db in
            (until: try Int64.fetchOne(db, sql: "SELECT until FROM owner_pause WHERE owner = 'alice'") ?? 0,
             oldest: try Int64.fetchOne(db, sql: "SELECT MIN(at) FROM event WHERE kind = 'sent'") ?? 0)
        }
        #expect(times.until == times.oldest + 86_400_001)
    }
}
