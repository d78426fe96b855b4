import ArgumentParser

/// `outbox`: the operator's command line over the outbox database.
@main
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Queue-backed bulk mail: enqueue batches, inspect the outbox and its event log.",
        subcommands: [
            EnqueueCommand.self, StatusCommand.self, ListCommand.self, ShowCommand.self, EventsCommand.self,
            CancelCommand.self, RetryCommand.self, PurgeCommand.self, ProfileCommand.self, SettingsCommand.self, BouncesCommand.self, SuppressionsCommand.self, ServeCommand.self,
            InitCommand.self, VersionCommand.self,
        ]
    )

    @Flag(help: "Print the version (with --verbose: also SQLite, libcurl and schema versions) and exit.")
    var version = false

    @Flag(help: "With --version: print the versions of the libraries and the schema.")
    var verbose = false

    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        VersionCommand.printVersion(verbose: verbose, database: nil)
    }
}
