import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

@Suite struct EnqueueTests {
    @Test func oneBadMessageMeansNothingIsWritten() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let pdf = try outbox.file("terms.pdf", Array(repeating: 7, count: 1000))
        #expect {
            _ = try outbox.database.enqueue(batchKey: "b1", source: "test", now: 1, baseDirectory: outbox.directory) { writer in
                try writer.add(draft("a@example.com", attachments: [AttachmentSource(content: .file(path: pdf), filename: "t.pdf", contentType: nil)]), location: "messages[0]")
                try writer.add(draft("b@example.com"), location: "messages[1]")
                try writer.add(draft("c@example.com", attachments: [AttachmentSource(content: .file(path: outbox.directory + "/gone.pdf"), filename: "g.pdf", contentType: nil)]),
                               location: "messages[2]")
            }
        } throws: { error in
            let intake = error as? IntakeError
            return intake?.code == .attachmentMissing && intake?.location == "messages[2]" && intake?.field == "attachments[0].path"
        }
        for table in ["batch", "message", "recipient", "attachment", "content", "event"] {
            #expect(try outbox.count("SELECT COUNT(*) FROM \(table)") == 0, "table \(table) must be empty")
        }
        #expect(try outbox.database.status().totals.isEmpty)
    }

    @Test func sameBatchKeyTwiceChangesNothing() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        func run() throws -> EnqueueResult {
            try outbox.database.enqueue(batchKey: "erp-run-7", source: nil, now: 1, baseDirectory: nil) { writer in
                try writer.add(draft("a@example.com", key: "inv-1"), location: "1")
                try writer.add(draft("b@example.com", key: "inv-2"), location: "2")
            }
        }
        let first = try run()
        let second = try run()
        #expect(!first.duplicateBatch && first.enqueued == 2)
        #expect(second.duplicateBatch && second.batchID == first.batchID && second.enqueued == 2)
        #expect(try outbox.count("SELECT COUNT(*) FROM message") == 2)
        #expect(try outbox.count("SELECT COUNT(*) FROM batch") == 1)
    }

    @Test func knownMessageKeysAreSkippedInALaterBatch() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
            try writer.add(draft("a@example.com", key: "inv-1"), location: "1")
        }
        let again = try outbox.database.enqueue(batchKey: nil, source: nil, now: 2, baseDirectory: nil) { writer in
            try writer.add(draft("a@example.com", key: "inv-1"), location: "1")
            try writer.add(draft("b@example.com", key: "inv-2"), location: "2")
        }
        #expect(again.enqueued == 1 && again.duplicates == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE message_key = 'inv-1'") == 1)
    }

    @Test func aKeyUsedTwiceInOneBatchIsRefused() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        #expect {
            _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
                try writer.add(draft("a@example.com", key: "inv-1"), location: "line 2")
                try writer.add(draft("b@example.com", key: "inv-1"), location: "line 3")
            }
        } throws: { error in
            (error as? IntakeError)?.code == .duplicateKey && (error as? IntakeError)?.reason.contains("line 2") == true
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM message") == 0)
    }

    @Test func identicalAttachmentContentIsStoredOnce() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let shared = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let pdf = try outbox.file("terms.pdf", shared)
        let copy = try outbox.file("copy-of-terms.pdf", shared)
        let result = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: outbox.directory) { writer in
            for index in 0..<50 {
                let path = index.isMultiple(of: 2) ? pdf : copy
                try writer.add(draft("c\(index)@example.com", attachments: [
                    AttachmentSource(content: .file(path: path), filename: "terms.pdf", contentType: nil),
                    AttachmentSource(content: .inline(Array("own \(index % 5)".utf8)), filename: "own.txt", contentType: "text/plain"),
                ]), location: "\(index)")
            }
        }
        #expect(result.enqueued == 50)
        #expect(try outbox.count("SELECT COUNT(*) FROM content") == 6)
        #expect(try outbox.count("SELECT COUNT(*) FROM attachment") == 100)
        #expect(try outbox.count("SELECT SUM(size) FROM content") == 100_000 + 5 * 5)
        let stored = try outbox.database.message(id: 1).attachments[0]
        #expect(stored.sha256 == SHA256.hex(of: shared) && stored.size == 100_000)
    }

    @Test func databaseFileIsPrivate() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let attributes = try FileManager.default.attributesOfItem(atPath: outbox.database.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

@Suite struct DurabilityTests {
    /// Every commit is synced (power loss, not only a crash): the writer runs synchronous=FULL in WAL mode.
    @Test func theWriterSyncsEveryCommit() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let (mode, journal) = try outbox.database.pool.writeWithoutTransaction { db in
            (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        #expect(mode == 2, "synchronous must be FULL (2)")
        #expect(journal == "wal")
    }
}
