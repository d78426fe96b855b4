import Foundation
import OutboxTestSupport
import Testing

/// `outbox serve` as a process: SIGHUP reloads outbox.conf (a broken file keeps the
/// running settings), SIGTERM stops it with exit status 0.
@Suite struct ServeSignalTests {
    @Test func hangUpReloadsAndTerminateStopsCleanly() async throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let config = try workspace.write("outbox.conf", "[delivery]\nworkers = 2\n")
        let errors = try workspace.write("stderr.log", "")
        let process = try ChildProcess(OutboxProcess.executable.path, ["serve", "--config", config, "--db", workspace.directory + "/outbox.db"],
                                       stdout: .null, stderr: .file(errors))
        defer { process.kill() }
        func log() -> String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }
        func waitFor(_ text: String) async -> Bool { await eventually(within: 120) { log().contains(text) } }
        #expect(await waitFor("serving"), "\(log())")

        _ = try workspace.write("outbox.conf", "[delivery]\nworkers = 3\n")
        process.signal(SIGHUP)
        #expect(await waitFor("configuration reloaded: 3 worker(s)"), "\(log())")

        _ = try workspace.write("outbox.conf", "[delivery]\nwrokers = 3\n")
        process.signal(SIGHUP)
        #expect(await waitFor("reload failed, keeping the running configuration"), "\(log())")
        #expect(log().contains("outbox.conf:2"))
        #expect(process.isRunning)

        process.signal(SIGTERM)
        #expect(try await process.exit(within: 60) == .exited(0))
    }
}
