import Foundation
import GRDB
import OutboxCore
import Testing
@testable import OutboxStore

/// A pipelined enqueue parses on one thread and writes on another inside one transaction,
/// each chunk compressed by whichever side has time: the messages arrive in order with their
/// bodies and contents read back byte for byte whichever side compressed them, a content is
/// stored once whichever message carried it first, and a failure of the parser after many
/// chunks leaves nothing written.
@Suite(.timeLimit(.minutes(10))) struct PipelinedEnqueueTests {
    static let count = 1_300  // more chunks (64 messages) than the queue holds (8), so the parser waits for room

    static func text(_ index: Int) -> String {
        "Tere! Arve nr \(index) on lisatud.\n" + String(repeating: "Summa \(index * 7) eurot; kuupäev 2026-12-\(index % 28 + 1).\r\n", count: 40 + index % 30)
    }

    static func message(_ index: Int, terms: String, own: [UInt8]?) throws -> MessageDraft {
        var attachments = [AttachmentSource(content: .file(path: terms), filename: "terms.txt", contentType: "text/plain")]
        if let own { attachments.append(AttachmentSource(content: .inline(own), filename: "own-\(index).bin", contentType: nil)) }
        return MessageDraft(key: "inv-\(index)", owner: "erp", subject: "Arve \(index)", textBody: text(index),
                            htmlBody: index % 3 == 0 ? "<p>" + text(index) + "</p>" : nil,
                            recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("c\(index)@example.com"))], attachments: attachments)
    }

    @Test func messagesArriveInOrderAndReadBackExact() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let termsBytes = Array(String(repeating: "Müügitingimused: tasuda 14 päeva jooksul.\n", count: 300).utf8)
        let terms = try outbox.file("terms.txt", termsBytes)
        var generator = SystemRandomNumberGenerator()
        let own = (0..<Self.count).map { index in index % 10 == 0 ? (0..<3000).map { _ in UInt8.random(in: 0...255, using: &generator) } : nil }
        let result = try outbox.database.enqueuePipelined(
            batchKey: "run-1", source: "test", now: 1, attachments: AttachmentPolicy(roots: [outbox.directory], baseDirectory: outbox.directory)
        ) { sink in
            for index in 0..<Self.count { try sink.add(try Self.message(index, terms: terms, own: own[index]), location: "line \(index + 1)") }
        }
        #expect(result.enqueued == Self.count && result.newContents == 1 + Self.count / 10)
        #expect(try outbox.count("SELECT COUNT(*) FROM content WHERE encoding = 'zlib'") == 1)

        let rows = try outbox.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT message_key, text_body, html_body FROM message ORDER BY id")
        }
        #expect(rows.map { $0["message_key"] as String } == (0..<Self.count).map { "inv-\($0)" })
        for (index, row) in rows.enumerated() {
            #expect(try StoredBytes.text(row["text_body"], what: "text") == Self.text(index))
            #expect(try StoredBytes.text(row["html_body"], what: "html") == (index % 3 == 0 ? "<p>" + Self.text(index) + "</p>" : nil))
        }
        let contents = try outbox.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT sha256, size, data, encoding FROM content")
        }
        let stored = try Set(contents.map { row in
            try StoredBytes.content(row["data"], encoding: row["encoding"], size: row["size"], sha256: row["sha256"])
        })
        #expect(stored == Set([termsBytes] + own.compactMap { $0 }))
    }

    struct Stop: Error, Equatable {}

    @Test func aParserFailureAfterManyChunksWritesNothing() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let terms = try outbox.file("terms.txt", Array(repeating: UInt8(ascii: "a"), count: 500))
        #expect(throws: Stop()) {
            _ = try outbox.database.enqueuePipelined(
                batchKey: nil, source: nil, now: 1, attachments: AttachmentPolicy(roots: [outbox.directory], baseDirectory: outbox.directory)
            ) { sink in
                for index in 0..<Self.count { try sink.add(try Self.message(index, terms: terms, own: nil), location: "line \(index + 1)") }
                throw Stop()
            }
        }
        for table in ["batch", "message", "recipient", "attachment", "content", "event"] {
            #expect(try outbox.count("SELECT COUNT(*) FROM \(table)") == 0, "table \(table) must be empty")
        }
    }
}
