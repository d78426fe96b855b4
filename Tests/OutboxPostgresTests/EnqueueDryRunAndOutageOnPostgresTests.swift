import Foundation
import OutboxCore
import OutboxStore
import OutboxTestSupport
import Testing

/// `outbox enqueue --dry-run` and a stopped PostgreSQL server, through the real binary.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EnqueueDryRunAndOutageOnPostgresTests {
    /// A dry run looks the batch key and message keys up in the PostgreSQL outbox and says
    /// the same as on SQLite: which keys the enqueue would skip, or that the batch is known.
    @Test func dryRunReportsKnownKeysAsOnSQLite() async throws {
        let sqlite = try await StoreFixture(.sqlite), postgres = try await StoreFixture(.postgres)
        defer { sqlite.close(); postgres.close() }
        let directory = sqlite.directory
        let first = try sqlite.file("first.jsonl", Array("""
            {"batch":{"key":"run-1"}}
            {"owner":"acme","to":["d@example.com"],"subject":"Hi","text":"Hello","key":"invoice-1"}

            """.utf8))
        let second = try sqlite.file("second.jsonl", Array("""
            {"owner":"acme","to":["d@example.com"],"subject":"Hi","text":"Hello","key":"invoice-1"}
            {"owner":"acme","to":["e@example.com"],"subject":"Hi","text":"Hello","key":"invoice-2"}

            """.utf8))
        let onSQLite = OutboxProcess(database: directory + "/outbox.db")
        let onPostgres = OutboxProcess(database: try #require(postgres.cluster).url(database: "outbox"))
        let steps: [[String]] = [
            ["enqueue", "--dry-run", second],  // nothing known yet
            ["enqueue", first],
            ["enqueue", "--dry-run", second],  // invoice-1 known: skipped
            ["enqueue", "--dry-run", "--json", second],
            ["enqueue", "--dry-run", first],  // batch run-1 known
        ]
        var outputs: [String] = []
        for arguments in steps {
            let expected = try await onSQLite.run(arguments, directory: directory), actual = try await onPostgres.run(arguments, directory: directory)
            #expect(actual.status == expected.status && actual.status == 0, "\(arguments): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(arguments)")
            #expect(actual.stderr == expected.stderr, "\(arguments)")
            outputs.append(actual.stdout)
        }
        #expect(outputs[0] != outputs[2], "the known key changed nothing in the dry run's report")
        #expect(outputs[2].contains("1 already in the outbox (same key) skipped"), "\(outputs[2])")
        #expect(try #require(postgres.cluster).sql("SELECT count(*) FROM message", database: "outbox") == "1")
    }

    /// With the server stopped, an enqueue fails at once as a temporary failure (exit 75,
    /// EX_TEMPFAIL, so the ERP retries) with a plain message naming the server; so does a
    /// profile command, and a dry run goes on without the outbox as it does for an SQLite file.
    @Test func aStoppedServerIsATemporaryFailureSaidPlainly() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let url = cluster.url(database: "outbox"), port = try #require(URLComponents(string: url)?.port)
        let batch = try fixture.file("batch.jsonl", Array(#"{"owner":"acme","to":["d@example.com"],"subject":"Hi","text":"Hello","key":"k1"}"#.utf8))
        let outbox = OutboxProcess(database: url)
        #expect(try await outbox.run(["enqueue", "--dry-run", batch], directory: fixture.directory).status == 0)
        cluster.stop()
        let refused = "cannot reach the PostgreSQL outbox at 127.0.0.1:\(port): Connection refused"
        let enqueue = try await outbox.run(["enqueue", batch], directory: fixture.directory)
        #expect(enqueue.status == 75, "\(enqueue.stderr)")
        #expect(enqueue.stderr == "outbox: error: \(refused)\nnothing was enqueued (temporary failure, exit 75: try again later)\n")
        #expect(enqueue.stdout.isEmpty && !enqueue.stderr.contains("ircuit"))
        let profiles = try await outbox.run(["profile", "list"])
        #expect(profiles.status == 75 && profiles.stderr == "outbox: error: \(refused)\n", "\(profiles.stderr)")
        let dryRun = try await outbox.run(["enqueue", "--dry-run", batch], directory: fixture.directory)
        #expect(dryRun.status == 0 && dryRun.stderr.contains("dry run without the outbox at postgres://") && dryRun.stderr.contains(refused),
                "\(dryRun.stderr)")
    }
}
