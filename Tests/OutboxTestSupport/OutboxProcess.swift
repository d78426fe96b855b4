import Foundation

/// Runs the built `outbox` executable as a separate process, the way operators and
/// applications do, and captures its exit status and output.
public struct OutboxProcess: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String

        /// Stdout parsed as JSON.
        public func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    /// The executable next to the test bundle (SwiftPM builds it because the tests depend on it).
    public static let executable: URL = OutboxExecutable.url

    public let database: String
    /// Variables set on top of this process's environment.
    public var environment: [String: String] = [:]

    public init(database: String, environment: [String: String] = [:]) {
        self.database = database
        self.environment = environment
    }

    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, directory: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        environment.merge(self.environment) { $1 }
        environment.merge(extra) { $1 }
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // A child that refuses before reading all of its input closes the pipe: that is
        // an outcome to check, not a SIGPIPE for the test process.
        signal(SIGPIPE, SIG_IGN)
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// A temporary directory with an outbox database path inside, removed at the end.
public struct Workspace: Sendable {
    public let directory: String
    public var outbox: OutboxProcess { OutboxProcess(database: directory + "/outbox.db") }

    public init() throws {
        directory = NSTemporaryDirectory() + "outbox-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    public func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}
