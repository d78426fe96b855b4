import ArgumentParser

/// `outbox`: the operator's command line over the outbox database.
@main
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Queue-backed bulk mail: enqueue batches, inspect the outbox and its event log.",
        subcommands: [
            EnqueueCommand.self, StatusCommand.self, ListCommand.self, ShowCommand.self, EventsCommand.self,
            CancelCommand.self, RetryCommand.self, PurgeCommand.self, ProfileCommand.self, SettingsCommand.self, BouncesCommand.self, SuppressionsCommand.self, ServeCommand.self, DKIMCommand.self,
        ]
    )
}
