import Foundation

/// `outbox serve` running in the background as its own process, its log in a file.
/// ``stop()`` sends SIGTERM and waits (SIGKILL after 20 s); deinit never leaves it running.
public final class ServeDaemon {
    private let process = Process()
    private let logPath: String

    /// Starts `outbox serve ARGUMENTS` with `OUTBOX_DB=database` and `environment`, its stderr in `logPath`.
    public init(database: String, arguments: [String], logPath: String, environment extra: [String: String] = [:]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = OutboxExecutable.url
        process.arguments = ["serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// What the daemon logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Stops it gracefully; returns its exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL if a failed expectation left it running.
    public func killIfRunning() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    deinit { if process.isRunning { stop() } }
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try condition() { return true }
        usleep(100_000)
    } while Date() < deadline
    return try condition()
}
