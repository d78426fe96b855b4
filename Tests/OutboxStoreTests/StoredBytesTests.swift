import Foundation
import GRDB
import OutboxCore
import Testing
@testable import OutboxStore

/// Bodies and attachment contents are stored compressed when that pays, and a claim
/// reads back exactly the bytes that were enqueued.
@Suite struct StoredBytesTests {
    private static let longText = String(repeating: "Tere! Arve nr 2026-0042 on lisatud. Lugupidamisega, Raamatupidamine. Ütle, kui midagi on valesti.\r\n", count: 60)
        + "Lõpp\n\u{1F600} ümber\r"
    private static let html = "<html><body>" + String(repeating: "<p>Arve on lisatud &amp; ootab tasumist.</p>\n", count: 80) + "</body></html>"

    private func claimAll(_ outbox: TemporaryOutbox) throws -> [ClaimedMessage] {
        try outbox.database.claim(leaseOwner: "test", limit: 100, now: 10, dueBy: 10, leaseUntil: 100_000)
    }

    @Test func compressedBodiesAndAttachmentsComeBackByteExact() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let compressible = Array(String(repeating: "rida;summa;käibemaks\n1;100,00;24,00\n", count: 500).utf8)
        var generator = SystemRandomNumberGenerator()
        let random = (0..<30_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let csv = try outbox.file("rows.csv", compressible)
        let pdf = try outbox.file("scan.pdf", random)
        let tiny = Array("ok".utf8)
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: outbox.directory) { writer in
            try writer.add(MessageDraft(
                key: "long", owner: "alice", subject: "Arve", textBody: Self.longText, htmlBody: Self.html,
                recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("c@example.com"))],
                attachments: [
                    AttachmentSource(content: .file(path: csv), filename: "rows.csv", contentType: "text/csv"),
                    AttachmentSource(content: .file(path: pdf), filename: "scan.pdf", contentType: "application/pdf"),
                    AttachmentSource(content: .inline(tiny), filename: "tiny.txt", contentType: nil),
                ]), location: "line 1")
            try writer.add(draft("d@example.com", key: "short"), location: "line 2")
        }
        // Stored forms: long bodies and the CSV compressed; the short body, the random
        // bytes and the two-byte file as given.
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE typeof(text_body) = 'blob' AND typeof(html_body) = 'blob'") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE message_key = 'short' AND typeof(text_body) = 'text'") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM content WHERE encoding = 'zlib' AND length(data) < size / 4") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM content WHERE encoding IS NULL AND length(data) = size") == 2)

        let claimed = try claimAll(outbox)
        let long = try #require(claimed.first { $0.textBody == Self.longText })
        #expect(Array(long.textBody!.utf8) == Array(Self.longText.utf8))
        #expect(long.htmlBody == Self.html)
        #expect(long.attachments.map(\.data) == [compressible, random, tiny])
        #expect(claimed.contains { $0.textBody == "Tere" && $0.htmlBody == nil })

        let detail = try outbox.database.message(id: long.id)
        #expect(detail.textBytes == Self.longText.utf8.count && detail.htmlBytes == Self.html.utf8.count)
        #expect(detail.attachments.map(\.size) == [compressible.count, random.count, tiny.count])
    }

    @Test func damagedCompressedBodyIsAnErrorNotGarbage() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: nil) { writer in
            try writer.add(MessageDraft(owner: "alice", subject: "Arve", textBody: Self.longText,
                                        recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("c@example.com"))]), location: "line 1")
        }
        try outbox.database.pool.write { db in
            try db.execute(sql: "UPDATE message SET text_body = CAST(substr(text_body, 1, 40) || zeroblob(20) AS BLOB)")
        }
        #expect { try claimAll(outbox) } throws: { ($0 as? StoreError)?.code == .corruptData }
    }

    @Test func plainTextRoundTripsThroughTheStoredForm() throws {
        for text in ["", "x", String(repeating: "a", count: 199), String(repeating: "ä\r\n", count: 300), Self.longText] {
            let stored = StoredBytes.body(text)
            #expect(try StoredBytes.text(stored, what: "test") == text)
            #expect(StoredBytes.textLength(stored) == text.utf8.count)
        }
        #expect(try StoredBytes.text(.null, what: "test") == nil)
    }

    /// Content that will not shrink is stored as given without being compressed whole: a
    /// known compressed format by its first bytes, a long content by a trial block.
    @Test func incompressibleContentIsStoredAsGivenAfterASniffOrATrial() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let table = Array(String(repeating: "rida;summa;käibemaks\n1;100,00;24,00\n", count: 2_000).utf8)
        let zipOfText = [UInt8]([0x50, 0x4B, 0x03, 0x04]) + table.prefix(5_000)  // the magic decides, however it would compress
        let pdfOfStreams = Array("%PDF-1.4\n".utf8) + random(60_000)  // long: the trial block decides
        let shortRandom = random(3_000)  // short: compressed whole, which zlib gives up at 7/8
        #expect(zipOfText.withUnsafeBytes { !StoredBytes.isWorthCompressing($0) })
        #expect(pdfOfStreams.withUnsafeBytes { !StoredBytes.isWorthCompressing($0) })
        #expect(table.withUnsafeBytes { StoredBytes.isWorthCompressing($0) })
        #expect(shortRandom.withUnsafeBytes { StoredBytes.isWorthCompressing($0) })

        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let files = try [("table.csv", table), ("archive.zip", zipOfText), ("invoice.pdf", pdfOfStreams), ("scan.bin", shortRandom)]
            .map { try outbox.file($0.0, $0.1) }
        _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, baseDirectory: outbox.directory) { writer in
            try writer.add(MessageDraft(
                key: "invoice", owner: "alice", subject: "Arve", textBody: Self.longText,
                recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse("c@example.com"))],
                attachments: files.map { AttachmentSource(content: .file(path: $0), filename: ($0 as NSString).lastPathComponent, contentType: nil) }),
                location: "line 1")
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM content WHERE encoding = 'zlib' AND length(data) < size / 4") == 1)
        #expect(try outbox.count("SELECT COUNT(*) FROM content WHERE encoding IS NULL AND length(data) = size") == 3)
        let claimed = try #require(try claimAll(outbox).first)
        #expect(claimed.attachments.map(\.data) == [table, zipOfText, pdfOfStreams, shortRandom])
    }
}
