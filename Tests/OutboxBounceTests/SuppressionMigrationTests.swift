import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// `v6-bounce-reasons` on a database the old rule (suppress on any 5.x.x) filled: its
/// suppressions are re-read from the stored raw bounces and kept only for dead addresses.
@Suite struct SuppressionMigrationTests {
    @Test func oldSuppressionsAreKeptOnlyWhereTheNewRuleWouldMakeThem() throws {
        let directory = NSTemporaryDirectory() + "outbox-v6-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/outbox.db"
        let old = try DatabaseQueue(path: path)
        try OutboxMigrations.migrator.migrate(old, upTo: "v5-profile-max-connections")
        let bounces: [(address: String, status: String, diagnostic: String)] = [
            ("full@customer.test", "5.2.2", "552 5.2.2 Mailbox full"),
            ("gone@customer.test", "5.1.1", "550 5.1.1 <gone@customer.test>: Recipient address rejected: User unknown"),
            ("listed@bigprovider.test", "5.7.1", "554 5.7.1 Client host [192.0.2.10] blocked using zen.spamhaus.org"),
        ]
        try old.write { db in
            for (index, bounce) in bounces.enumerated() {
                let raw = BounceWriter.postfix(token: "tokOld\(index)", recipient: bounce.address, status: bounce.status, diagnostic: bounce.diagnostic)
                try db.execute(sql: """
                    INSERT INTO bounce (received_at, source, sha256, size, raw, kind, format) VALUES (1, 'pipe', ?, ?, ?, 'deliveryFailure', 'postfix')
                    """, arguments: ["sha\(index)", raw.count, Data(raw)])
                let bounceID = db.lastInsertedRowID
                try db.execute(sql: "INSERT INTO event (at, kind, recipient, enhanced_code, detail) VALUES (1, 'bounced', ?, ?, ?)",
                               arguments: [bounce.address, bounce.status, "hard bounce: \(bounce.diagnostic); matched by verp [bounce #\(bounceID)]"])
                try db.execute(sql: "INSERT INTO suppression (address, reason, event_id, created_at) VALUES (?, ?, ?, 1)",
                               arguments: [bounce.address, "hard bounce \(bounce.status)", db.lastInsertedRowID])
            }
            // An operator's entry, and an old one whose event was purged since.
            try db.execute(sql: "INSERT INTO suppression (address, reason, event_id, created_at) VALUES ('asked@customer.test', 'asked us to stop', NULL, 1)")
            try db.execute(sql: "INSERT INTO suppression (address, reason, event_id, created_at) VALUES ('purged@customer.test', 'hard bounce 5.1.1', 999, 1)")
        }
        try old.close()

        let upgraded = try OutboxDatabase(path: path)
        let kept = try upgraded.suppressions(now: 2)
        #expect(Set(kept.map(\.address)) == ["gone@customer.test", "asked@customer.test", "purged@customer.test"])
        let gone = try #require(kept.first { $0.address == "gone@customer.test" })
        #expect(gone.bounceReason == "userunknown" && gone.bounceID == 2 && gone.reason == "dead address: userunknown 5.1.1" && gone.expiresAt == nil)
        let removed = try upgraded.events(EventFilter(kind: "suppression-removed", limit: 10))
        #expect(Set(removed.compactMap(\.recipient)) == ["full@customer.test", "listed@bigprovider.test"])
        #expect(removed.allSatisfy { ($0.detail ?? "").contains("v6 upgrade") })
        #expect(Set(removed.compactMap(\.reason)) == ["mailboxfull", "blocked"])
    }
}
