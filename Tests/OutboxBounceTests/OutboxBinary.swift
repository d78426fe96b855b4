import Foundation
import OutboxTestSupport

/// Runs the built `outbox` executable as a separate process (as an MTA pipe would) and
/// captures its exit status and output. The approach of Tests/OutboxCLITests/OutboxProcess.swift.
struct OutboxBinary {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    /// The executable in the build directory the test bundle lives in.
    static let executable: URL = OutboxExecutable.url

    let database: String

    @discardableResult
    func run(_ arguments: [String], stdin: [UInt8] = []) async throws -> Result {
        Result(try await child(arguments, stdin: stdin).completion(within: OutboxProcess.timeout))
    }

    /// ``run(_:stdin:)`` for synchronous tests: blocks the calling thread while the command runs.
    @discardableResult
    func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Result {
        Result(try child(arguments, stdin: stdin).completionBlocking(within: OutboxProcess.timeout))
    }

    private func child(_ arguments: [String], stdin: [UInt8]) throws -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["OUTBOX_DB"] = database
        return try ChildProcess(Self.executable.path, arguments, environment: environment, stdin: .bytes(stdin))
    }
}

extension OutboxBinary.Result {
    init(_ completion: ChildProcess.Completion) {
        self.init(status: completion.status, stdout: completion.stdoutText, stderr: completion.stderrText)
    }
}
