import Foundation
import OutboxTestSupport
import Testing

@Suite struct ConcurrencyTests {
    /// Two enqueue processes write at once while a third process keeps reading:
    /// nobody fails with SQLITE_BUSY and every message arrives exactly once.
    @Test func twoWritersAndAReaderDoNotFail() async throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        _ = try workspace.outbox.run(["init"])  // create the database first (status no longer creates one)
        func batch(_ prefix: String) throws -> String {
            var lines = [#"{"batch": {"owner": "\#(prefix)", "subject": "Load", "text": "\#(String(repeating: "x", count: 2000))"}}"#]
            for index in 0..<3000 { lines.append(#"{"key": "\#(prefix)-\#(index)", "to": ["c\#(index)@example.com"]}"#) }
            return try workspace.write("\(prefix).jsonl", lines.joined(separator: "\n"))
        }
        let files = [try batch("w1"), try batch("w2")]
        let outbox = workspace.outbox
        async let first = Task.detached { try outbox.run(["enqueue", files[0]]) }.value
        async let second = Task.detached { try outbox.run(["enqueue", files[1]]) }.value
        async let reads = Task.detached { () throws -> [Int32] in
            var statuses: [Int32] = []
            for _ in 0..<20 {
                statuses.append(try outbox.run(["status", "--json"]).status)
                statuses.append(try outbox.run(["list", "--limit", "5"]).status)
            }
            return statuses
        }.value
        let (one, two, readStatuses) = try await (first, second, reads)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(two.status == 0, "\(two.stderr)")
        #expect(readStatuses.allSatisfy { $0 == 0 })
        let status = try #require(try outbox.run(["status", "--json"]).json() as? [String: Any])
        #expect((status["totals"] as? [String: Int])?["queued"] == 6000)
    }

    /// Two `outbox enqueue` processes started together on a database that does not exist
    /// yet: one creates and migrates it while the other waits; both enqueue, nothing fails.
    @Test func twoProcessesOpeningAMissingDatabaseTogetherBothSucceed() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let batch = try workspace.write("batch.json", #"{"owner": "ann", "subject": "Tere", "text": "Tere!", "messages": [{"to": ["juri@example.ee"]}]}"#)
        for round in 0..<8 {
            let database = workspace.directory + "/round-\(round).db"
            let processes = try (0..<2).map { _ in
                let process = Process()
                process.executableURL = OutboxProcess.executable
                process.arguments = ["enqueue", batch, "--db", database]
                let errors = Pipe()
                process.standardError = errors
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                return (process, errors)
            }
            for (process, errors) in processes {
                let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \(said)")
            }
            let status = try #require(try OutboxProcess(database: database).run(["status", "--json"]).json() as? [String: Any])
            #expect((status["totals"] as? [String: Int])?["queued"] == 2, "round \(round): \(status)")
        }
    }
}
