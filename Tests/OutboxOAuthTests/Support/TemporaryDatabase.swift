import Foundation
import OutboxStore

/// A directory with a fresh outbox database in it, removed by ``remove()``.
struct TemporaryDatabase {
    let directory: String
    var path: String { directory + "/outbox.db" }

    init() throws {
        directory = NSTemporaryDirectory() + "outbox-oauth-db-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func open() throws -> OutboxDatabase { try OutboxDatabase(path: path) }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
