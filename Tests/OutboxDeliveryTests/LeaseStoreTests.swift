import Foundation
import GRDB
import OutboxCore
import OutboxStore
import Testing

/// The store side of delivery against real databases: claims, the lease guard, release
/// and crash-recovery reclaim.
@Suite struct LeaseStoreTests {
    @Test func claimLeasesDueMessagesOnceInPriorityOrder() throws {
        let fixture = try OutboxFixture()
        defer { fixture.cleanUp() }
        try fixture.enqueue(5, owner: "alice")
        try fixture.sql.write { try $0.execute(sql: "UPDATE message SET priority = 9 WHERE id = 4") }
        let now = OutboxDatabase.milliseconds(Date())
        let first = try fixture.outbox.claim(leaseOwner: "a", limit: 3, now: now, dueBy: now, leaseUntil: now + 60_000)
        let second = try fixture.outbox.claim(leaseOwner: "b", limit: 10, now: now, dueBy: now, leaseUntil: now + 60_000)
        #expect(first.map(\.id) == [4, 1, 2])
        #expect(Set(second.map(\.id)) == [3, 5])
        #expect(first[0].recipients.map(\.mailbox.address) == ["rcpt3@example.net"])
        #expect(try fixture.count("SELECT COUNT(*) FROM message WHERE state = 'sending' AND lease_owner IS NOT NULL") == 5)
    }

    @Test func onlyTheLeaseOwnerRecordsAndReleaseCountsNoAttempt() throws {
        let fixture = try OutboxFixture()
        defer { fixture.cleanUp() }
        try fixture.enqueue(2, owner: "alice")
        let now = OutboxDatabase.milliseconds(Date())
        let claimed = try fixture.outbox.claim(leaseOwner: "a", limit: 2, now: now, dueBy: now, leaseUntil: now + 60_000)
        let sent = DeliveryRecord(verdict: .sent, code: 250, text: "ok")
        #expect(try fixture.outbox.record(sent, messageID: claimed[0].id, leaseOwner: "intruder", now: now) == false)
        #expect(try fixture.outbox.record(sent, messageID: claimed[0].id, leaseOwner: "a", now: now) == true)
        #expect(try fixture.outbox.record(sent, messageID: claimed[0].id, leaseOwner: "a", now: now) == false)
        #expect(try fixture.outbox.release(leaseOwner: "a", now: now) == 1)
        #expect(try fixture.states() == ["sent": 1, "queued": 1])
        #expect(try fixture.count("SELECT attempts FROM message WHERE id = ?", [claimed[1].id]) == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind IN ('attempt','sent')") == 2)
    }

    @Test func reclaimTakesBackExpiredAndOrphanedLeasesOnly() throws {
        let fixture = try OutboxFixture()
        defer { fixture.cleanUp() }
        try fixture.enqueue(3, owner: "alice")
        let now = OutboxDatabase.milliseconds(Date())
        _ = try fixture.outbox.claim(leaseOwner: "expired", limit: 1, now: now, dueBy: now, leaseUntil: now - 1)
        _ = try fixture.outbox.claim(leaseOwner: "dead", limit: 1, now: now, dueBy: now, leaseUntil: now + 60_000)
        _ = try fixture.outbox.claim(leaseOwner: "alive", limit: 1, now: now, dueBy: now, leaseUntil: now + 60_000)
        let reclaimed = try fixture.outbox.reclaimLeases(now: now) { $0 == "dead" }
        #expect(reclaimed.sorted() == [1, 2])
        #expect(try fixture.states() == ["queued": 2, "sending": 1])
        #expect(try fixture.count("SELECT COUNT(*) FROM event WHERE kind = 'retried'") == 2)
    }
}
