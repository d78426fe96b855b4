import Foundation
import GRDB
import OutboxCore
import Testing
@testable import OutboxStore

/// v25 drops `message_leased` and `recipient_by_address`: leases still expire, renew and release through the
/// open-state index, and no lease query scans the message table.
@Suite struct IndexTrimMigrationTests {
    @Test func leasesWorkAndEveryLeaseQueryUsesTheOpenStateIndex() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
            for index in 0..<6 {
                try writer.add(MessageDraft(owner: "alice", subject: "Arve \(index)", textBody: "Tere",
                                            recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("c\(index)@example.com"))]),
                               location: "line \(index + 1)")
            }
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'message_leased'") == 0)

        let first = try outbox.database.claim(leaseOwner: "a", limit: 2, now: 10, dueBy: 10, leaseUntil: 100)
        let second = try outbox.database.claim(leaseOwner: "b", limit: 2, now: 10, dueBy: 10, leaseUntil: 100)
        let third = try outbox.database.claim(leaseOwner: "c", limit: 2, now: 10, dueBy: 10, leaseUntil: 100)
        #expect([first, second, third].allSatisfy { $0.count == 2 })
        try outbox.database.renewLeases(leaseOwner: "a", until: 500)
        #expect(try outbox.database.release(leaseOwner: "c", now: 20) == 2)

        // At 200, b's leases expired and a's were renewed; c released its messages.
        let reclaimed = try outbox.database.reclaimLeases(now: 200)
        #expect(Set(reclaimed) == Set(second.map(\.id)))
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE state = 'sending' AND lease_owner = 'a' AND lease_expires_at = 500") == 2)
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE state = 'queued'") == 4)
        #expect(Set(try outbox.database.reclaimLeases(now: 200, isGone: { $0 == "a" })) == Set(first.map(\.id)))
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE state = 'queued'") == 6)

        try outbox.database.pool.write { db in
            let term = IndexTrimMigration.sendingTerm
            for sql in ["UPDATE message SET lease_expires_at = 1 WHERE \(term) AND lease_owner = 'a'",
                        "SELECT DISTINCT lease_owner FROM message WHERE \(term) AND lease_owner IS NOT NULL",
                        "UPDATE message SET state = 'queued' WHERE \(term) AND (lease_expires_at <= 1 OR lease_owner IS NULL OR lease_owner IN ('x'))"] {
                let plan = try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, adapter: SuffixRowAdapter(fromIndex: 3)).joined(separator: "; ")
                #expect(plan.contains(ThroughputMigration.openStateIndex), "\(plan)")
            }
        }
    }
}
