import ArgumentParser
import OutboxStore

/// `outbox init`: create the database (and its directories) and bring its schema up to
/// date — the only command besides `serve` that creates missing directories.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the outbox database and any missing directories, or migrate an existing one.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let outbox = try database.open(.createDirectories)
        print("outbox database \(outbox.path) is ready (schema \(OutboxDatabase.schemaVersions.last ?? "-"))")
    }
}
