import Foundation
import OutboxTestSupport

/// Runs an independent tool (python3, perl, unshare) found on `PATH`.
enum ToolProcess {
    /// The tool's exit status and output, for synchronous tests: blocks the calling thread while it runs.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let completion = try ChildProcess.runBlocking(arguments[0], Array(arguments.dropFirst()))
        return (completion.status, Data(completion.stdout), completion.stderrText)
    }

    /// The tool's standard output; throws with its standard error when it exits non-zero.
    static func output(_ arguments: [String]) async throws -> Data {
        try checked(arguments, try await ChildProcess.run(arguments[0], Array(arguments.dropFirst())))
    }

    /// ``output(_:)`` for synchronous tests: blocks the calling thread while the tool runs.
    static func output(_ arguments: [String]) throws -> Data {
        try checked(arguments, try ChildProcess.runBlocking(arguments[0], Array(arguments.dropFirst())))
    }

    private static func checked(_ arguments: [String], _ completion: ChildProcess.Completion) throws -> Data {
        guard completion.status == 0 else {
            throw TestServerError(message: "\(arguments.prefix(2).joined(separator: " ")) failed (\(completion.status)): \(completion.stderrText)")
        }
        return Data(completion.stdout)
    }
}
