import Foundation
import OutboxTestSupport
import Testing

/// `outbox serve` as a process: SIGHUP reloads outbox.conf (a broken file keeps the
/// running settings), SIGTERM stops it with exit status 0.
@Suite struct ServeSignalTests {
    @Test func hangUpReloadsAndTerminateStopsCleanly() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let config = try workspace.write("outbox.conf", "[delivery]\nworkers = 2\n")
        let errors = try workspace.write("stderr.log", "")
        let process = Process()
        process.executableURL = OutboxProcess.executable
        process.arguments = ["serve", "--config", config, "--db", workspace.directory + "/outbox.db"]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func log() -> String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }
        func waitFor(_ text: String) -> Bool {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline { if log().contains(text) { return true }; usleep(50_000) }
            return false
        }
        #expect(waitFor("serving"), "\(log())")

        _ = try workspace.write("outbox.conf", "[delivery]\nworkers = 3\n")
        kill(process.processIdentifier, SIGHUP)
        #expect(waitFor("configuration reloaded: 3 worker(s)"), "\(log())")

        _ = try workspace.write("outbox.conf", "[delivery]\nwrokers = 3\n")
        kill(process.processIdentifier, SIGHUP)
        #expect(waitFor("reload failed, keeping the running configuration"), "\(log())")
        #expect(log().contains("outbox.conf:2"))
        #expect(process.isRunning)

        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
    }
}
