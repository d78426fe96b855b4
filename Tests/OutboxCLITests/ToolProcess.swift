import Foundation
import OutboxTestSupport

/// Runs an independent checking tool (python3, perl) through `/usr/bin/env` and returns
/// its standard output; throws with its standard error when it exits non-zero.
enum ToolProcess {
    static func output(_ arguments: [String]) throws -> Data {
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
        guard process.terminationStatus == 0 else {
            throw TestServerError(message: "\(arguments.prefix(2).joined(separator: " ")) failed (\(process.terminationStatus)): \(stderr)")
        }
        return data
    }
}
