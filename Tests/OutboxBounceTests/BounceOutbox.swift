import Foundation
import GRDB
import OutboxCore
@testable import OutboxStore

/// A real outbox database in a fresh temporary directory, with helpers to put sent
/// messages in it whose tokens the bounce samples carry.
struct BounceOutbox {
    let directory: String
    let database: OutboxDatabase
    static let day: Int64 = 86_400_000
    /// A fixed "now" for the store tests (2026-03-03).
    static let now: Int64 = 1_772_524_800_000

    init() throws {
        directory = NSTemporaryDirectory() + "outbox-bounce-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = try OutboxDatabase(path: directory + "/outbox.db")
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// Enqueues one message to `recipients`, gives it `token`, and marks it and its
    /// recipients sent at `sentAt` (default: a day before ``now``). Returns its id.
    @discardableResult
    func sentMessage(token: String?, to recipients: [String], sentAt: Int64 = BounceOutbox.now - BounceOutbox.day,
                     state: String = "sent") throws -> Int64 {
        let draft = MessageDraft(owner: "alice", subject: "Arve", textBody: "Tere",
                                 recipients: try recipients.map { Recipient(kind: .to, mailbox: try Mailbox.parse($0)) })
        _ = try database.enqueue(batchKey: nil, source: "test", now: sentAt, baseDirectory: nil) { writer in
            try writer.add(draft, location: "1")
        }
        return try database.pool.write { db in
            let id = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM message")!
            if let token { try db.execute(sql: "UPDATE message SET token = ? WHERE id = ?", arguments: [token, id]) }
            let messageState = state == "pending" ? "queued" : "sent"
            try db.execute(sql: "UPDATE message SET state = ?, finished_at = ? WHERE id = ?", arguments: [messageState, sentAt, id])
            try db.execute(sql: "UPDATE recipient SET state = ?, updated_at = ? WHERE message_id = ?", arguments: [state, sentAt, id])
            return id
        }
    }

    func recipientStates(_ message: Int64) throws -> [String: String] {
        try database.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT address, state FROM recipient WHERE message_id = ?", arguments: [message])
                .map { ($0["address"] as String, $0["state"] as String) })
        }
    }

    func events(kind: String? = nil) throws -> [Row] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event WHERE ?1 IS NULL OR kind = ?1 ORDER BY id", arguments: [kind])
        }
    }

    func count(_ sql: String) throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}

/// The bounce samples in Tests/BounceSamples.
enum BounceSample {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BounceSamples")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The sample as text with `replacements` applied (to remove or change a token).
    static func edited(_ name: String, _ replacements: [(String, String)]) throws -> [UInt8] {
        var text = String(decoding: try bytes(name), as: UTF8.self)
        for (from, to) in replacements {
            precondition(text.contains(from), "\(name) has no \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        return Array(text.utf8)
    }
}
