import ArgumentParser
import Foundation
import OutboxPostgres
import OutboxStore

/// `outbox bounces raw ID`: writes a recorded bounce's bytes, exactly as received, to stdout.
struct BouncesRawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "raw", abstract: "Print a recorded bounce exactly as received (the #ID in its events).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Bounce id.") var id: Int64

    func run() throws {
        let id = id
        let found = database.isPostgres ? try database.readPostgresStore { try await $0.bounceRaw(id: id) }
            : try Failure.guarding { try database.open().bounceRaw(id: id) }
        guard let raw = found else {
            Terminal.error("no bounce with id \(id)")
            throw ExitCode.failure
        }
        FileHandle.standardOutput.write(Data(raw))
    }
}
