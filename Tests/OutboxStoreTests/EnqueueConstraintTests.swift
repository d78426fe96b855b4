import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// The enqueue writes with SQLite's CHECK constraints off (each `CHECK (x IN (…))` built a
/// temporary b-tree per row): what it writes must still satisfy them, and the connection
/// must enforce them again once the enqueue is over, whether it committed or not.
@Suite struct EnqueueConstraintTests {
    static func message(_ kind: MessageKind, key: String) throws -> MessageDraft {
        MessageDraft(key: key, owner: "alice", subject: "Arve", textBody: String(repeating: "Tere! Arve on lisatud.\n", count: 40),
                     recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("a@example.com")),
                                  Recipient(kind: .cc, mailbox: try Mailbox.parse("b@example.com")),
                                  Recipient(kind: .bcc, mailbox: try Mailbox.parse("c@example.com"))],
                     kind: kind)
    }

    /// A state no CHECK allows, written through the pool's writer connection.
    static func writeBadState(_ outbox: TemporaryOutbox) throws {
        try outbox.database.pool.write { db in try db.execute(sql: "UPDATE message SET state = 'lost'") }
    }

    @Test func enqueuedRowsSatisfyTheChecksAndTheWriterEnforcesThemAfterwards() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let result = try outbox.database.enqueue(batchKey: "b1", source: "test", now: 1, baseDirectory: nil) { writer in
            for (index, kind) in MessageKind.allCases.enumerated() {
                try writer.add(try Self.message(kind, key: "k\(index)"), location: "messages[\(index)]")
            }
        }
        #expect(result.enqueued == MessageKind.allCases.count)
        #expect(try outbox.database.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        #expect(try outbox.count("SELECT COUNT(DISTINCT kind) FROM recipient") == 3)
        #expect(throws: DatabaseError.self) { try Self.writeBadState(outbox) }
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE state = 'lost'") == 0)
    }

    @Test func aRefusedBatchLeavesTheChecksOnToo() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
            try writer.add(try Self.message(.invoice, key: "first"), location: "1")
        }
        #expect(throws: IntakeError.self) {
            _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 2, baseDirectory: nil) { writer in
                try writer.add(try Self.message(.invoice, key: "twice"), location: "1")
                try writer.add(try Self.message(.invoice, key: "twice"), location: "2")
            }
        }
        #expect(throws: DatabaseError.self) { try Self.writeBadState(outbox) }
        #expect(try outbox.count("SELECT COUNT(*) FROM message") == 1)
    }
}
