import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// The two stores behind ``QueueStore``, for tests that run the same body on both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A fresh, empty store of one kind: an SQLite file in a temporary directory, or a
/// database in a private PostgreSQL cluster. ``close()`` removes everything.
final class StoreFixture: @unchecked Sendable {
    let store: any QueueStore
    let directory: String
    let cluster: PostgresCluster?
    let postgres: PostgresStore?

    init(_ kind: StoreKind) async throws {
        directory = NSTemporaryDirectory() + "outbox-seam-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            cluster = nil
            postgres = nil
            store = try OutboxDatabase(path: directory + "/outbox.db")
        case .postgres:
            let cluster = try await PostgresCluster.start()
            try cluster.createDatabase("outbox")
            self.cluster = cluster
            let opened = try await PostgresStore.open(try PostgresLocation(cluster.url(database: "outbox")), environment: [:])
            postgres = opened
            store = opened
        }
    }

    /// Another connection pool to the same PostgreSQL database (a second node).
    func secondNode() async throws -> PostgresStore {
        guard let cluster else { throw PostgresCluster.Failure(description: "not a PostgreSQL fixture") }
        return try await PostgresStore.open(try PostgresLocation(cluster.url(database: "outbox")), environment: [:])
    }

    func close() {
        postgres?.close()
        cluster?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes `bytes` to a file in the fixture's directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Attachments may be read from the fixture's directory only.
    var attachmentPolicy: AttachmentPolicy { AttachmentPolicy(roots: [directory], baseDirectory: directory) }
}

/// A minimal valid draft to `to`.
func draft(_ to: String, key: String? = nil, owner: String = "alice", priority: Int = 0, subject: String = "Arve",
           attachments: [AttachmentSource] = []) throws -> MessageDraft {
    MessageDraft(key: key, owner: owner, priority: priority, subject: subject, textBody: "Tere",
                 recipients: [Recipient(kind: .to, mailbox: try Mailbox.parse(to))], attachments: attachments)
}

/// Entries named `message N` in order.
func entries(_ drafts: [MessageDraft]) -> [BatchEntry] {
    drafts.enumerated().map { BatchEntry($1, location: "message \($0 + 1)") }
}
