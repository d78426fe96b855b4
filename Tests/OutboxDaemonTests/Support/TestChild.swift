import Foundation
import OutboxTestSupport

/// Runs this test binary again as a child process, restricted to one Swift Testing test,
/// with extra environment variables. Used where a test needs a process environment of its own.
enum TestChild {
    static func run(filter: String, environment: [String: String], stderrPath: String? = nil) throws -> ChildProcess {
        var merged = ProcessInfo.processInfo.environment
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "INVOCATION_ID"] { merged[name] = nil }
        return try ChildProcess(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                                ["--testing-library", "swift-testing", "--filter", filter],
                                environment: merged.merging(environment) { _, new in new },
                                stdout: .null, stderr: stderrPath.map { .file($0) } ?? .null)
    }
}
