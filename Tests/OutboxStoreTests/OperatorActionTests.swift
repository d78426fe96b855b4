import Foundation
import Testing
import GRDB
import OutboxCore
@testable import OutboxStore

@Suite struct OperatorActionTests {
    private func seeded() throws -> (TemporaryOutbox, Int64) {
        let outbox = try TemporaryOutbox()
        let result = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1_000, baseDirectory: nil) { writer in
            for index in 0..<5 { try writer.add(draft("c\(index)@example.com", owner: index < 3 ? "alice" : "bob"), location: "\(index)") }
        }
        return (outbox, result.batchID)
    }

    @Test func statusCountsByOwnerAndStateFollowChanges() throws {
        let (outbox, _) = try seeded()
        defer { outbox.cleanUp() }
        _ = try outbox.database.cancel(messageID: 1, now: 2_000)
        let status = try outbox.database.status()
        #expect(status.totals == ["queued": 4, "cancelled": 1])
        #expect(status.counts.contains(.init(owner: "alice", state: "queued", count: 2)))
        #expect(status.counts.contains(.init(owner: "bob", state: "queued", count: 2)))
        #expect(status.oldestQueuedAt == 1_000)
        #expect(status.lastEvent?.kind == "cancelled")
    }

    @Test func cancellingAFinishedMessageIsRefused() throws {
        let (outbox, _) = try seeded()
        defer { outbox.cleanUp() }
        _ = try outbox.database.cancel(messageID: 2, now: 2_000)
        #expect { try outbox.database.cancel(messageID: 2, now: 3_000) } throws: { ($0 as? StoreError)?.code == .invalidState }
        #expect { try outbox.database.cancel(messageID: 99, now: 3_000) } throws: { ($0 as? StoreError)?.code == .notFound }
    }

    @Test func batchCancelAndRetryRecordAnEventPerMessage() throws {
        let (outbox, batch) = try seeded()
        defer { outbox.cleanUp() }
        let cancelled = try outbox.database.cancel(batchID: batch, now: 2_000)
        #expect(cancelled == OperationResult(changed: 5, skipped: 0))
        let retried = try outbox.database.retry(batchID: batch, now: 3_000)
        #expect(retried == OperationResult(changed: 0, skipped: 5))
        #expect(try outbox.database.events(EventFilter(kind: "cancelled")).count == 5)
        #expect(try outbox.database.message(id: 3).events.map(\.kind) == ["cancelled"])
    }

    @Test func listFiltersAndPages() throws {
        let (outbox, batch) = try seeded()
        defer { outbox.cleanUp() }
        let bob = try outbox.database.messages(MessageFilter(owner: "bob"))
        #expect(bob.map(\.id) == [4, 5])
        let page1 = try outbox.database.messages(MessageFilter(state: "queued", batchID: batch, limit: 2))
        let page2 = try outbox.database.messages(MessageFilter(state: "queued", batchID: batch, afterID: page1.last!.id, limit: 2))
        #expect(page1.map(\.id) == [1, 2] && page2.map(\.id) == [3, 4])
        #expect(page1[0].firstRecipient == "c0@example.com" && page1[0].recipientCount == 1)
        #expect(try outbox.database.messages(MessageFilter(since: 5_000)).isEmpty)
    }

    @Test func purgeRemovesOnlyOldFinishedMessages() throws {
        let (outbox, _) = try seeded()
        defer { outbox.cleanUp() }
        _ = try outbox.database.cancel(messageID: 1, now: 2_000)
        _ = try outbox.database.cancel(messageID: 2, now: 9_000)
        let purged = try outbox.database.purge(finishedBefore: 5_000, now: 10_000)
        #expect(purged.changed == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM message") == 4)
        #expect(try outbox.count("SELECT COUNT(*) FROM recipient WHERE message_id = 1") == 0)
        #expect(try outbox.database.status().totals == ["queued": 3, "cancelled": 1])
        let everything = try outbox.database.purge(finishedBefore: 100_000, now: 100_000)
        #expect(everything.changed == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE state = 'queued'") == 3)
    }

    @Test func eventsAreAppendOnly() throws {
        let (outbox, _) = try seeded()
        defer { outbox.cleanUp() }
        #expect(throws: (any Error).self) {
            try outbox.database.pool.write { db in try db.execute(sql: "UPDATE event SET detail = 'forged'") }
        }
    }
}
