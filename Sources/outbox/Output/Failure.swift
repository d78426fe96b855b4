import ArgumentParser
import Foundation
import OutboxCore
import OutboxStore

/// Turns domain errors into a clear message on stderr and a documented exit code:
/// 65 for refused input (nothing was written), 75 for a temporary condition (a full
/// disk, a locked database: try again), 1 for everything else.
enum Failure {
    static let invalidInput: Int32 = 65
    static let temporary: Int32 = 75

    static func guarding<T>(_ body: () throws -> T) throws -> T {
        try reporting(enqueue: false, body)
    }

    /// Like ``guarding(_:)`` for an enqueue: every failure, whatever it is, ends with
    /// "nothing was enqueued", since the batch is written whole or not at all.
    static func enqueueing<T>(_ body: () throws -> T) throws -> T {
        try reporting(enqueue: true, body)
    }

    private static func reporting<T>(enqueue: Bool, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IntakeError {
            Terminal.error("\(error)\nnothing was enqueued")
            throw ExitCode(invalidInput)
        } catch let error as StoreError {
            let retry = error.isTemporary ? " (temporary failure, exit 75: try again later)" : ""
            Terminal.error(error.reason + (enqueue ? "\nnothing was enqueued\(retry)" : ""))
            throw exitCode(for: error)
        } catch let error as SecretError {
            Terminal.error(error.reason + (enqueue ? "\nnothing was enqueued" : ""))
            throw ExitCode.failure
        } catch {
            guard enqueue, !(error is ExitCode) else { throw error }
            Terminal.error("\(error)\nnothing was enqueued")
            throw ExitCode.failure
        }
    }

    private static func exitCode(for error: StoreError) -> ExitCode {
        error.isTemporary ? ExitCode(temporary) : ExitCode.failure
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
