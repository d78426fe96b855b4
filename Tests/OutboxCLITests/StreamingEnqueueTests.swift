import Foundation
import OutboxTestSupport
import Testing

/// JSON Lines batches are enqueued by two threads (parser and writer) inside one
/// transaction; a failure on either side must still leave nothing written.
@Suite struct StreamingEnqueueTests {
    private func lines(_ count: Int, replacing index: Int, with special: String) -> String {
        var lines = [#"{"batch": {"owner": "erp", "subject": "Arve", "text": "Tere"}}"#]
        for i in 0..<count { lines.append(i == index ? special : #"{"key": "k\#(i)", "to": ["c\#(i)@example.com"]}"#) }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aMissingAttachmentDeepInTheStreamRollsBackEverything() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let file = try workspace.write("big.jsonl", lines(5000, replacing: 4321,
            with: #"{"key": "x", "to": ["x@example.com"], "attachments": [{"path": "missing.pdf"}]}"#))
        let result = try workspace.outbox.run(["enqueue", file])
        #expect(result.status == 65)
        #expect(result.stderr.contains("big.jsonl line 4323, field 'attachments[0].path'"), "\(result.stderr)")
        let status = try #require(try workspace.outbox.run(["status", "--json"]).json() as? [String: Any])
        #expect(status["totals"] as? [String: Int] == [:])
        #expect(status["lastEvent"] == nil)
    }

    @Test func aDuplicateKeyFoundByTheWriterStopsTheParser() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let file = try workspace.write("dup.jsonl", lines(5000, replacing: 3000, with: #"{"key": "k7", "to": ["again@example.com"]}"#))
        let result = try workspace.outbox.run(["enqueue", file])
        #expect(result.status == 65)
        #expect(result.stderr.contains("dup.jsonl line 3002, field 'key'"), "\(result.stderr)")
        #expect(result.stderr.contains("first at dup.jsonl line 9"), "\(result.stderr)")
        let list = try #require(try workspace.outbox.run(["list", "--json"]).json() as? [Any])
        #expect(list.isEmpty)
    }

    @Test func aStreamedBatchArrivesWholeAndInOrder() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let file = try workspace.write("ok.jsonl", lines(3000, replacing: -1, with: ""))
        let result = try workspace.outbox.run(["enqueue", "--json", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try result.json() as? [String: Any])?["enqueued"] as? Int == 3000)
        let page = try #require(try workspace.outbox.run(["list", "--json", "--after", "2990"]).json() as? [[String: Any]])
        #expect(page.map { $0["key"] as? String } == (2990..<3000).map { "k\($0)" })
    }
}
