import Foundation
import OutboxTestSupport
import Testing

/// `outbox events --follow` on a PostgreSQL outbox that several nodes write: events recorded
/// by other processes appear, filtered as asked, in id order — including one whose id was
/// drawn before a higher one became visible and that committed seconds later.
@Suite(.serialized, .timeLimit(.minutes(10))) struct EventsFollowOnPostgresTests {
    @Test func followSeesOtherNodesEventsInIDOrderAndAnEventCommittedLate() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.close() }
        let cluster = try #require(fixture.cluster)
        let url = cluster.url(database: "outbox"), directory = fixture.directory
        try await onDedicatedThread {
            let outbox = OutboxProcess(database: url)
            let line = #"{"owner":"o","subject":"Hi","text":"x","to":["a@example.com"]}"#
            #expect(try outbox.run(["enqueue"], stdin: line).status == 0)  // an old event that follow must not repeat

            let output = directory + "/follow.out", errors = directory + "/follow.err"
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            let follower = Process()
            follower.executableURL = OutboxProcess.executable
            follower.arguments = ["events", "--follow", "--json", "--follow-seconds", "120", "--db", url]
            follower.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            follower.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
            try follower.run()
            defer { if follower.isRunning { follower.terminate() } }
            func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
            func until(_ condition: () -> Bool) -> Bool {
                let deadline = Date().addingTimeInterval(120)
                while Date() < deadline { if condition() { return true }; usleep(50_000) }
                return condition()
            }
            #expect(until { read(errors).contains("following events after #1") }, "\(read(errors))")

            // Another writer takes an event id and commits it 3 s later, while a higher one is committed at once.
            let slow = Thread {
                _ = try? cluster.sql("BEGIN; INSERT INTO event (at, kind, detail) VALUES (1, 'purged', 'committed late'); SELECT pg_sleep(3); COMMIT",
                                     database: "outbox")
            }
            slow.start()
            usleep(1_000_000)
            #expect(try outbox.run(["enqueue"], stdin: line).status == 0)
            #expect(try outbox.run(["cancel", "2"]).status == 0)
            #expect(until { read(output).split(separator: "\n").count >= 3 }, "\(read(output))")
            let events = read(output).split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(events.map { $0["kind"] as? String } == ["purged", "enqueued", "cancelled"], "\(events)")
            let ids = events.compactMap { $0["id"] as? Int }
            #expect(ids.count == 3 && ids == ids.sorted())
            #expect(events.last?["messageID"] as? Int == 2)

            // A filter selects among the events as on SQLite.
            let filtered = try outbox.run(["events", "--follow", "--json", "--follow-seconds", "3", "--kind", "cancelled", "--after", "0"])
            let kinds = filtered.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["kind"] as? String
            }
            #expect(filtered.status == 0 && kinds == ["cancelled"], "\(filtered.stdout) \(filtered.stderr)")
        }
    }
}
