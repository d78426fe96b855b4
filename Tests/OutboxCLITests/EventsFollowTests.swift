import Foundation
import OutboxTestSupport
import Testing

@Suite struct EventsFollowTests {
    /// `events --follow --json` prints events recorded after it started (not older ones),
    /// one JSON object per line.
    @Test func followPrintsNewEventsAsTheyAreRecorded() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        let line = #"{"owner":"o","subject":"Hi","text":"x","to":["a@example.com"]}"#
        _ = try outbox.run(["enqueue"], stdin: line)  // an old event that follow must not repeat

        let output = try workspace.write("follow.out", ""), errors = try workspace.write("follow.err", "")
        let follower = Process()
        follower.executableURL = OutboxProcess.executable
        follower.arguments = ["events", "--follow", "--json", "--follow-seconds", "60", "--db", outbox.database]
        follower.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        follower.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }
        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        func until(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline { if condition() { return true }; usleep(50_000) }
            return false
        }
        #expect(until { read(errors).contains("following events after #1") }, "\(read(errors))")

        #expect(try outbox.run(["enqueue"], stdin: line).status == 0)
        #expect(try outbox.run(["cancel", "2"]).status == 0)
        #expect(until { read(output).split(separator: "\n").count >= 2 }, "\(read(output))")
        let events = read(output).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.map { $0["kind"] as? String } == ["enqueued", "cancelled"])
        #expect(events.last?["messageID"] as? Int == 2)
    }
}
