import Foundation
import OutboxTestSupport

/// Runs an independent tool (python3, perl, unshare) through `/usr/bin/env`.
enum ToolProcess {
    /// The tool's exit status and output.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, data, stderr)
    }

    /// The tool's standard output; throws with its standard error when it exits non-zero.
    static func output(_ arguments: [String]) throws -> Data {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw TestServerError(message: "\(arguments.prefix(2).joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }
}
