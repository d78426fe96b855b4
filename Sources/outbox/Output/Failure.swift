import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore

/// Turns domain errors into a clear message on stderr and a documented exit code:
/// 65 for refused input (nothing was written), 1 for everything else.
enum Failure {
    static let invalidInput: Int32 = 65

    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IntakeError {
            Terminal.error("\(error)\nnothing was enqueued")
            throw ExitCode(invalidInput)
        } catch let error as StoreError {
            Terminal.error(error.reason)
            throw ExitCode.failure
        } catch let error as SecretError {
            Terminal.error(error.reason)
            throw ExitCode.failure
        }
    }
}

/// Writes to stderr (errors, notices) so stdout stays clean for `--json`.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("outbox: error: \(message)\n".utf8))
    }

    static func notice(_ message: String) {
        FileHandle.standardError.write(Data("outbox: \(message)\n".utf8))
    }
}
