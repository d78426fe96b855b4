import ArgumentParser

/// `outbox bounces …` and `outbox suppressions …`: bounce ingestion and the suppression list.
struct BouncesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounces", abstract: "Record bounces (delivery status notifications) as events.",
        subcommands: [BouncesIngestCommand.self, BouncesPollCommand.self, BouncesListCommand.self, BouncesRawCommand.self])
}
