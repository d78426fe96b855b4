import ArgumentParser

/// `outbox`: the operator's command line over the outbox database.
@main
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Queue-backed bulk mail: enqueue batches, inspect the outbox and its event log.",
        discussion: "outbox --version prints the version; outbox --version --verbose (or outbox version --verbose) adds SQLite, libcurl and schema versions.",
        subcommands: [
            EnqueueCommand.self, StatusCommand.self, ListCommand.self, ShowCommand.self, EventsCommand.self,
            CancelCommand.self, RetryCommand.self, ResolveCommand.self, PurgeCommand.self, ProfileCommand.self, SettingsCommand.self, BouncesCommand.self, SuppressionsCommand.self, WebhooksCommand.self, ServeCommand.self,
            InitCommand.self, VersionCommand.self, SecretsCommand.self, DoctorCommand.self, DKIMCommand.self, APITokenCommand.self, StoreCommand.self,
        ]
    )

    /// `outbox --version [--verbose]` is `outbox version [--verbose]`; everything else is parsed as usual.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--version" { arguments[0] = "version" }
        main(arguments)
    }
}
