import Foundation
import OutboxTestSupport

/// The built `outbox` executable running `serve`, as systemd or cron would run it.
final class ServeProcess {
    /// The executable next to the test bundle (built by `swift build --build-tests`).
    static let executable: URL = OutboxExecutable.url

    private let process: ChildProcess

    init(_ arguments: [String]) throws {
        // Stderr is not a pipe nobody reads: the daemon logs every outcome.
        process = try ChildProcess(Self.executable.path, ["serve"] + arguments, stdout: .capture, stderr: .null)
    }

    var pid: Int32 { process.pid }

    func signal(_ number: Int32) { process.signal(number) }

    /// Waits up to `seconds` for the exit, suspending the task; returns the status (a
    /// signal as its negative number), or nil (and kills it) on timeout.
    func waitForExit(_ seconds: Double) async -> Int32? {
        Self.status(try? await process.exit(within: seconds))
    }

    /// ``waitForExit(_:)`` blocking the calling thread.
    func waitForExit(_ seconds: Double) -> Int32? {
        Self.status(try? process.waitForExit(within: seconds))
    }

    private static func status(_ termination: ChildProcess.Termination?) -> Int32? {
        switch termination {
        case .exited(let code): code
        case .signaled(let signal): -signal
        case nil: nil
        }
    }

    /// What it printed (complete once it exited).
    var standardOutput: String { String(decoding: process.stdout, as: UTF8.self) }
}
