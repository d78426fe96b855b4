import Foundation
import GRDB
import OutboxCore
import Testing
@testable import OutboxStore

/// The v5 step on a database made by v4: existing profiles keep every field and get no cap.
@Suite struct ProfileMaxConnectionsMigrationTests {
    @Test func aV4DatabaseGainsTheColumnAndKeepsItsProfiles() throws {
        let directory = NSTemporaryDirectory() + "outbox-migration-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/outbox.db"

        do {
            let queue = try DatabaseQueue(path: path)
            try OutboxMigrations.migrator.migrate(queue, upTo: "v4-bounces")
            try queue.write { db in
                #expect(try !db.columns(in: "profile").contains { $0.name == "max_connections" })
                try db.execute(sql: "INSERT INTO profile (owner, mode, host, per_minute, updated_at) VALUES ('a', 'smtp', 'smtp.example.com', 7, 1)")
            }
        }

        let outbox = try OutboxDatabase(path: path)
        let applied = try outbox.pool.read { db in try OutboxMigrations.migrator.appliedIdentifiers(db) }
        #expect(applied.contains("v5-profile-max-connections"))
        let before = try #require(try outbox.profileFields(owner: "a"))
        #expect(before.host == "smtp.example.com" && before.perMinute == 7 && before.maxConnections == nil)

        var change = ProfileFields()
        change.maxConnections = 3
        try outbox.saveProfile(owner: "a", fields: change, secretCredential: nil, clear: [], now: 2)
        let after = try #require(try outbox.profileFields(owner: "a"))
        #expect(after.maxConnections == 3 && after.perMinute == 7 && after.host == "smtp.example.com")
        try outbox.saveProfile(owner: "a", fields: ProfileFields(), secretCredential: nil, clear: ["max-connections"], now: 3)
        #expect(try outbox.profileFields(owner: "a")?.maxConnections == nil)
    }
}
