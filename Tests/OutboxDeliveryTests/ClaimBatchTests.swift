import Foundation
import OutboxCore
import OutboxStore
import Testing

/// A claim carries the profile layers of its owners, read in the claim's transaction.
@Suite struct ClaimBatchTests {
    @Test func aClaimReadsEachOwnersProfileOnceAndCurrent() throws {
        let fixture = try OutboxFixture()
        defer { fixture.cleanUp() }
        try fixture.setProfile("alice", port: 2525)
        try fixture.setProfile("bob", port: 2526)
        try fixture.enqueue(3, owner: "alice")
        try fixture.enqueue(3, owner: "bob")
        let now = OutboxDatabase.milliseconds(Date())
        let first = try fixture.outbox.claimBatch(leaseOwner: "a", limit: 4, now: now, dueBy: now, leaseUntil: now + 60_000)
        #expect(Set(first.profiles.keys) == Set(first.messages.map(\.owner)))
        #expect(first.profiles["alice"]?.own?.port == 2525)
        #expect(first.claimedAt == now)
        try fixture.setProfile("bob", port: 2626)
        let second = try fixture.outbox.claimBatch(leaseOwner: "a", limit: 4, now: now, dueBy: now, leaseUntil: now + 60_000)
        #expect(second.messages.count == 2 && second.messages.allSatisfy { $0.owner == "bob" })
        #expect(second.profiles["bob"]?.own?.port == 2626, "a later claim sees the changed profile")
    }
}
