import Foundation
import GRDB
import OutboxCore
import Testing
@testable import OutboxStore

/// The v11 step on a database made before it: nothing is lost, old rows read as before,
/// counts stay right, and queries by state still use an index.
@Suite struct ThroughputMigrationTests {
    @Test func aV9DatabaseKeepsItsMessagesCountsAndAttachments() throws {
        let directory = NSTemporaryDirectory() + "outbox-migration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/outbox.db"
        let body = String(repeating: "Vana arve, salvestatud enne v11. ", count: 100)
        let attachment = Array(String(repeating: "vana;rida\n", count: 300).utf8)

        do {
            let queue = try DatabaseQueue(path: path)
            try OutboxMigrations.migrator.migrate(queue, upTo: "v9-profile-from-login")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO batch (id, created_at) VALUES (1, 1)")
                for (id, state) in [(1, "queued"), (2, "sent"), (3, "failed")] {
                    try db.execute(sql: """
                        INSERT INTO message (id, batch_id, message_key, owner, state, token, subject, text_body, next_attempt_at, created_at, updated_at)
                        VALUES (?, 1, ?, 'alice', ?, ?, 'Vana', ?, 1, 1, 1)
                        """, arguments: [id, "old-\(id)", state, "token\(id)", body])
                    try db.execute(sql: "INSERT INTO recipient (message_id, kind, address, updated_at) VALUES (?, 'to', ?, 1)",
                                   arguments: [id, "c\(id)@example.com"])
                    try db.execute(sql: "INSERT INTO event (at, kind, message_id, detail) VALUES (1, 'enqueued', ?, 'old')", arguments: [id])
                }
                try db.execute(sql: "INSERT INTO content (sha256, size, data) VALUES ('abc', ?, ?)", arguments: [attachment.count, Data(attachment)])
                try db.execute(sql: "INSERT INTO attachment (message_id, position, sha256, filename) VALUES (1, 0, 'abc', 'old.csv')")
            }
        }

        let outbox = try OutboxDatabase(path: path)
        let applied = try outbox.pool.read { db in try OutboxMigrations.migrator.appliedIdentifiers(db) }
        #expect(applied.contains("v12-throughput"))
        let status = try outbox.status()
        #expect(status.totals == ["queued": 1, "sent": 1, "failed": 1])
        #expect(try outbox.events(EventFilter(kind: "enqueued")).count == 3)
        #expect(try outbox.messages(MessageFilter(state: "failed")).map(\.id) == [3])
        #expect(try outbox.message(id: 2).textBytes == body.utf8.count)

        // A new batch next to the old rows: counted once per batch, compressed.
        let result = try outbox.enqueue(batchKey: nil, source: nil, now: 5, baseDirectory: nil) { writer in
            try writer.add(MessageDraft(key: "old-1", owner: "alice", subject: "x", textBody: "dup",
                                        recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("a@example.com"))]), location: "line 1")
            try writer.add(MessageDraft(key: "new", owner: "alice", subject: "Uus", textBody: body,
                                        recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("b@example.com"))]), location: "line 2")
        }
        #expect(result.enqueued == 1 && result.duplicates == 1)
        #expect(try outbox.status().totals == ["queued": 2, "sent": 1, "failed": 1])

        let claimed = try outbox.claim(leaseOwner: "t", limit: 10, now: 10, dueBy: 10, leaseUntil: 1000)
        #expect(claimed.count == 2)
        #expect(claimed.allSatisfy { $0.textBody == body })
        #expect(claimed.first { $0.id == 1 }?.attachments.map(\.data) == [attachment])

        // Queries by state use the partial index; `sent` pages by id.
        try outbox.pool.read { db in
            for sql in ["SELECT id FROM message m WHERE m.state = 'failed' AND m.state <> 'sent' ORDER BY m.id LIMIT 50",
                        "SELECT created_at FROM message WHERE state = 'queued' AND state <> 'sent' ORDER BY id LIMIT 1"] {
                let plan = try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, adapter: SuffixRowAdapter(fromIndex: 3)).joined()
                #expect(plan.contains(ThroughputMigration.openStateIndex), "\(plan)")
            }
        }
    }
}
