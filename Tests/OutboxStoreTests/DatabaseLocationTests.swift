import Foundation
import OutboxStore
import Testing

/// Which database a command opens when it is given none.
@Suite struct DatabaseLocationTests {
    private let environment = ["USER": "clerk", "HOME": "/home/clerk"]

    @Test func anExplicitPathWinsOverTheEnvironment() {
        let path = DatabaseLocation.resolve(explicit: "/tmp/a.db", environment: ["OUTBOX_DB": "/tmp/b.db"], isRoot: true)
        #expect(path == "/tmp/a.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: ["OUTBOX_DB": "/tmp/b.db"], isRoot: true) == "/tmp/b.db")
    }

    @Test func anOperatorWhoCanReadTheServiceDatabaseUsesIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-location-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let system = directory.appendingPathComponent("outbox.db").path
        #expect(FileManager.default.createFile(atPath: system, contents: Data()))

        #expect(DatabaseLocation.resolve(explicit: nil, environment: environment, systemPath: system, isRoot: false) == system)
    }

    @Test func withoutAServiceDatabaseAUserGetsTheirOwnStateDirectory() {
        let missing = "/nonexistent-\(UUID().uuidString)/outbox.db"
        let path = DatabaseLocation.resolve(explicit: nil, environment: environment, systemPath: missing, isRoot: false)
        #expect(path == "/home/clerk/.local/state/outbox/outbox.db")
        #expect(DatabaseLocation.resolve(explicit: nil, environment: environment, systemPath: missing, isRoot: true) == missing)
    }
}
