import Foundation
import OutboxTestSupport

/// Runs the built `outbox` executable (found next to the test bundle, as the CLI tests do)
/// against one database, capturing exit status and output.
struct OutboxBinary {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let executable: URL = OutboxExecutable.url

    let database: String

    func run(_ arguments: [String]) async throws -> Result {
        Result(try await child(arguments).completion(within: OutboxProcess.timeout))
    }

    /// ``run(_:)`` for synchronous tests: blocks the calling thread while the command runs.
    func run(_ arguments: [String]) throws -> Result {
        Result(try child(arguments).completionBlocking(within: OutboxProcess.timeout))
    }

    private func child(_ arguments: [String]) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        return try ChildProcess(Self.executable.path, arguments, environment: environment)
    }
}

extension OutboxBinary.Result {
    init(_ completion: ChildProcess.Completion) {
        self.init(status: completion.status, stdout: completion.stdoutText, stderr: completion.stderrText)
    }
}
