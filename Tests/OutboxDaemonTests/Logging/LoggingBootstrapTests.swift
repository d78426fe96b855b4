import Foundation
import OutboxTestSupport
import Logging
import Testing
@testable import OutboxDaemon

/// `LoggingSetup.bootstrap` changes process-wide state, so it runs in a child process
/// (this test binary filtered to ``bootstrapChild()``) and the parent reads the child's stderr.
@Suite struct LoggingBootstrapTests {
    static let childFlag = "OUTBOX_TEST_LOGGING_CHILD"

    @Test func bootstrapOnceToStderrThenChangeLevel() async throws {
        let directory = try TemporaryDirectory()
        let child = try TestChild.run(filter: "bootstrapChild", environment: [Self.childFlag: "1"], stderrPath: directory.path + "/stderr")
        #expect(try await child.exit(within: 120) == .exited(0))
        let lines = try String(contentsOfFile: directory.path + "/stderr", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(" outbox-test ") }
            .map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        #expect(lines == [
            "info outbox-test first batch=b-1 message-id=m-1",
            "debug outbox-test after reload password=<redacted>",
        ])
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childFlag] == "1"))
    func bootstrapChild() {
        #expect(LoggingSetup.bootstrap(level: .info, environment: [:]) == .stderr)
        var logger = Logger(label: "test")
        logger[metadataKey: "batch"] = "b-1"
        logger.info("outbox-test first", metadata: ["message-id": "m-1"])
        logger.debug("outbox-test hidden at info")
        // A second bootstrap must not trap (swift-log allows one); it only changes the level.
        #expect(LoggingSetup.bootstrap(level: .debug, environment: ["INVOCATION_ID": "x"]) == .stderr)
        Logger(label: "other").debug("outbox-test after reload", metadata: ["password": "hunter2"])
    }
}
