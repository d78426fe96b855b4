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

    /// How long one command may run before its process group is killed and the run fails.
    public static let timeout: Double = 300

    /// Runs `outbox ARGUMENTS` to its end (`stdin` written to it, then end of file), suspending
    /// the task, not a thread, while it runs.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, directory: String? = nil, environment extra: [String: String] = [:]) async throws -> Result {
        Result(try await child(arguments, stdin: stdin, directory: directory, environment: extra).completion(within: Self.timeout))
    }

    /// ``run(_:stdin:directory:environment:)`` for synchronous tests: blocks the calling thread while the command runs.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, directory: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        Result(try child(arguments, stdin: stdin, directory: directory, environment: extra).completionBlocking(within: Self.timeout))
    }

    private func child(_ arguments: [String], stdin: String?, directory: String?, environment extra: [String: String]) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        environment.merge(self.environment) { $1 }
        environment.merge(extra) { $1 }
        // Standard input is a pipe even when empty, as under a shell pipeline.
        return try ChildProcess(Self.executable.path, arguments, environment: environment, directory: directory,
                                stdin: .bytes(Array((stdin ?? "").utf8)))
    }
}

extension OutboxProcess.Result {
    init(_ completion: ChildProcess.Completion) {
        self.init(status: completion.status, stdout: completion.stdoutText, stderr: completion.stderrText)
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
