import Foundation
import OutboxTestSupport

/// Runs an independent checking tool (python3, perl) found on `PATH` and returns its
/// standard output; throws with its standard error when it exits non-zero.
enum ToolProcess {
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
