import Foundation
import OutboxCore
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox list/status/events --db postgres://…` through the real binary print what they
/// print for an SQLite outbox holding the same messages and outcomes.
@Suite(.serialized) struct PostgresCommandTests {
    @Test func listStatusAndEventsPrintTheSameOnBothStores() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        for fixture in [sqlite, postgres] {
            let store = fixture.store
            _ = try await store.enqueue(batchKey: "invoices", source: "invoices.jsonl", now: 1_700_000_000_000, attachments: fixture.attachmentPolicy,
                                        messages: entries([try draft("a@example.com", key: "i-1", owner: "acme", subject: "Invoice 1"),
                                                           try draft("b@example.com", key: "i-2", owner: "acme", subject: "Invoice 2"),
                                                           try draft("c@example.com", key: "i-3", owner: "globex", subject: "Invoice 3")]))
            let claimed = try await store.claimBatch(leaseOwner: "node", limit: 1, now: 1_700_000_001_000, dueBy: 1_700_000_001_000, leaseUntil: 1_700_000_061_000)
            let sent = DeliveryRecord(verdict: .sent, code: 250, text: "250 ok", recipients: [RecipientOutcome(address: "a@example.com", state: .sent, code: 250, reply: "250 ok")])
            _ = try await store.record([PendingRecord(sent, messageID: claimed.messages[0].id)], leaseOwner: "node", now: 1_700_000_002_000)
        }
        let onSQLite = OutboxProcess(database: sqlite.directory + "/outbox.db")
        let onPostgres = OutboxProcess(database: try #require(postgres.cluster).url(database: "outbox"))
        for arguments in [["list"], ["list", "--state", "queued", "--json"], ["status", "--json"], ["events"], ["events", "--kind", "sent", "--json"]] {
            let expected = try await onSQLite.run(arguments), actual = try await onPostgres.run(arguments)
            #expect(expected.status == 0 && actual.status == 0, "\(arguments): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(arguments)")
            #expect(actual.stderr.isEmpty, "\(arguments): \(actual.stderr)")
        }
        #expect(try await onPostgres.run(["list"]).stdout.contains("Invoice 3"))
        // init works on the PostgreSQL outbox it names (and creates no file named like the URL).
        let initialised = try await onPostgres.run(["init"])
        #expect(initialised.status == 0 && initialised.stdout.contains("already up to date"), "\(initialised.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sqlite.directory + "/postgres:"))
        // doctor checks the PostgreSQL outbox it names (and skips the SQLite file checks).
        let doctor = try await onPostgres.run(["doctor"])
        #expect(doctor.stdout.contains("ok       database: PostgreSQL outbox ") && doctor.stdout.contains("is reachable; schema current, 2 queued"),
                "\(doctor.stdout)")
        #expect(!doctor.stdout.contains("disk space"), "\(doctor.stdout)")
    }
}
