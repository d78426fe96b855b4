import Foundation
import OutboxPostgres
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox init` through the binary on both stores: it says what it did (created, migrated,
/// already up to date) and which schema the outbox has, and run again it changes nothing.
@Suite(.serialized, .timeLimit(.minutes(10))) struct InitOnBothStoresTests {
    @Test func initCreatesThenFindsNothingToDoOnSQLite() async throws {
        let fixture = try await StoreFixture(.sqlite)
        defer { fixture.close() }
        let path = fixture.directory + "/new/state/outbox.db"
        let outbox = OutboxProcess(database: path)
        let latest = try #require(OutboxDatabase.schemaVersions.last)
        let created = try await outbox.run(["init"])
        #expect(created.status == 0 && created.stdout == "outbox database \(path) is ready (schema \(latest); created)\n", "\(created.stdout)\(created.stderr)")
        let again = try await outbox.run(["init"])
        #expect(again.status == 0 && again.stdout == "outbox database \(path) is ready (schema \(latest); already up to date)\n", "\(again.stdout)\(again.stderr)")
        #expect(try await outbox.run(["status"]).status == 0)

        // A file a newer binary migrated is refused, not reported as migrated.
        let marked = try ChildProcess.runBlocking("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v99-future')\"); c.commit()", path])
        #expect(marked.status == 0, "\(marked.stderrText)")
        let newer = try await outbox.run(["init"])
        #expect(newer.status == 1 && newer.stdout.isEmpty && newer.stderr.contains("has a newer schema than this outbox binary"), "\(newer.stdout)\(newer.stderr)")
    }

    @Test func initCreatesMigratesAndFindsNothingToDoOnPostgres() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        try cluster.createDatabase("fresh")
        let url = cluster.url(database: "fresh"), shown = "postgres://\(cluster.user)@127.0.0.1:\(cluster.port)/fresh"
        let outbox = OutboxProcess(database: url)
        let steps = PostgresStore.schemaSteps, latest = try #require(steps.last)

        let created = try await outbox.run(["init"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "outbox database \(shown) is ready (schema \(latest); created (\(steps.count) steps))\n", "\(created.stdout)")
        #expect(try cluster.sql("SELECT string_agg(name, ',' ORDER BY name) FROM outbox_migration", database: "fresh") == steps.sorted().joined(separator: ","))

        let again = try await outbox.run(["init"])
        #expect(again.status == 0 && again.stdout == "outbox database \(shown) is ready (schema \(latest); already up to date)\n", "\(again.stdout)\(again.stderr)")

        // An outbox one step behind (as a binary before the last step left it) is migrated by that step only.
        _ = try cluster.sql("DROP INDEX event_outcome_by_time", database: "fresh")
        _ = try cluster.sql("DELETE FROM outbox_migration WHERE name = 'v26-status-page-index'", database: "fresh")
        let migrated = try await outbox.run(["init"])
        #expect(migrated.status == 0 && migrated.stdout == "outbox database \(shown) is ready (schema \(latest); migrated (applied v26-status-page-index))\n",
                "\(migrated.stdout)\(migrated.stderr)")
        #expect(try cluster.sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'event_outcome_by_time'", database: "fresh") == "1")
        #expect(try await outbox.run(["status"]).status == 0)

        // An outbox a newer binary migrated is refused, and nothing is applied.
        _ = try cluster.sql("INSERT INTO outbox_migration (name) VALUES ('v99-future')", database: "fresh")
        let newer = try await outbox.run(["init"])
        #expect(newer.status == 1 && newer.stdout.isEmpty && newer.stderr.contains("schema step(s) v99-future this outbox binary does not know; upgrade it"),
                "\(newer.stdout)\(newer.stderr)")

        // A database that does not exist is the DBA's to create: said plainly, nothing made.
        let missing = try await OutboxProcess(database: cluster.url(database: "nope")).run(["init"])
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains(#"database "nope" does not exist; create it first (CREATE DATABASE nope OWNER outbox), then run outbox init"#),
                "\(missing.stderr)")

        // A server that is down: a temporary failure (exit 75), nothing written.
        try cluster.stopServer()
        let down = try await outbox.run(["init"])
        #expect(down.status == 75 && down.stderr.contains("cannot reach the PostgreSQL outbox at 127.0.0.1:\(cluster.port): Connection refused"),
                "\(down.stderr)")
        // A command that opens the outbox without the reachability check first (the bounce doors) says the same
        // at once, in the system's words (before: a minute of pool retries, then the pool's circuit-breaker error).
        let ingest = try await outbox.run(["bounces", "ingest", "-"], stdin: "From: MAILER-DAEMON@example.com\r\nSubject: x\r\n\r\nx\r\n")
        #expect(ingest.status == 75 && ingest.stderr.contains("cannot reach the PostgreSQL outbox at 127.0.0.1:\(cluster.port): Connection refused"),
                "\(ingest.stderr)")
    }
}
