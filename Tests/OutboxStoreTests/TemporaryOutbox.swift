import Foundation
import GRDB
import OutboxCore
@testable import OutboxStore

/// A real outbox database in a fresh temporary directory, removed by `cleanUp()`.
struct TemporaryOutbox {
    let directory: String
    let database: OutboxDatabase

    init() throws {
        directory = NSTemporaryDirectory() + "outbox-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = try OutboxDatabase(path: directory + "/outbox.db")
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes `bytes` to a file in the directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func count(_ sql: String) throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}

/// A minimal valid draft.
func draft(_ to: String, key: String? = nil, owner: String = "alice", attachments: [AttachmentSource] = []) throws -> MessageDraft {
    MessageDraft(key: key, owner: owner, subject: "Arve", textBody: "Tere", recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse(to))],
                 attachments: attachments)
}
