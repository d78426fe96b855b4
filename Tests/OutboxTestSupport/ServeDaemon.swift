import Foundation

/// `outbox serve` running in the background as its own process, its log in a file.
/// ``stop()`` sends SIGTERM and waits (SIGKILL after 20 s); deinit never leaves it running.
public final class ServeDaemon {
    private let process: ChildProcess
    private let logPath: String

    /// Starts `outbox serve ARGUMENTS` with `OUTBOX_DB=database` and `environment`, its stderr in `logPath`.
    public init(database: String, arguments: [String], logPath: String, environment extra: [String: String] = [:]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        environment.merge(extra) { $1 }
        process = try ChildProcess(OutboxExecutable.url.path, ["serve"] + arguments, environment: environment,
                                   stdout: .null, stderr: .file(logPath))
    }

    /// What the daemon logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Stops it gracefully (blocking the calling thread, normally for well under a second);
    /// returns its exit status.
    @discardableResult
    public func stop() -> Int32 { process.terminateBlocking(grace: 20).status }

    /// Stops it gracefully, suspending the task; returns its exit status.
    @discardableResult
    public func stopped() async -> Int32 { await process.terminate(grace: 20).status }

    /// SIGKILL if a failed expectation left it running.
    public func killIfRunning() { if process.isRunning { process.kill() } }

    deinit { if process.isRunning { stop() } }
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
/// Blocks the calling thread: async tests get the overload that sleeps the task instead.
public func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try condition() { return true }
        usleep(100_000)
    } while Date() < deadline
    return try condition()
}

/// Polls `condition` every 100 ms, sleeping the task in between, until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
    repeat {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    } while ContinuousClock.now < deadline
    return try condition()
}
