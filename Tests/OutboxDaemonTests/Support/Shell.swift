import Foundation
import OutboxTestSupport

/// Runs a program to completion and captures its combined stdout and stderr.
enum Shell {
    struct Result {
        var status: Int32
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Result {
        Result(try await child(executable, arguments, environment).completion(within: OutboxProcess.timeout))
    }

    /// ``run(_:_:environment:)`` for synchronous tests: blocks the calling thread while the program runs.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        Result(try child(executable, arguments, environment).completionBlocking(within: OutboxProcess.timeout))
    }

    private static func child(_ executable: String, _ arguments: [String], _ environment: [String: String]?) throws -> ChildProcess {
        try ChildProcess(executable, arguments, environment: environment, stdout: .capture, stderr: .standardOutput)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }
}

extension Shell.Result {
    init(_ completion: ChildProcess.Completion) {
        self.init(status: completion.status, output: completion.stdoutText)
    }
}
