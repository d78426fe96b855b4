import Foundation
import Testing

@Suite struct EventsFollowTests {
    /// `events --follow --json` prints events recorded after it started, one JSON object per line.
    @Test func followPrintsNewEventsAsTheyAreRecorded() async throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let outbox = workspace.outbox
        let line = #"{"owner":"o","subject":"Hi","text":"x","to":["a@example.com"]}"#
        _ = try outbox.run(["enqueue"], stdin: line)  // an old event follow must not repeat
        let follower = Task.detached { try outbox.run(["events", "--follow", "--json", "--follow-seconds", "3"]) }
        try await Task.sleep(for: .milliseconds(800))
        #expect(try outbox.run(["enqueue"], stdin: line).status == 0)
        #expect(try outbox.run(["cancel", "2"]).status == 0)
        let result = try await follower.value
        #expect(result.status == 0, "\(result.stderr)")
        let events = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.map { $0["kind"] as? String } == ["enqueued", "cancelled"])
        #expect(events.last?["messageID"] as? Int == 2)
    }
}
