import ArgumentParser
import OutboxCore
import OutboxStore

/// `outbox purge --older-than DURATION`: delete finished messages; never queued ones.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Delete sent, failed and cancelled messages finished before a given age.",
        discussion: "Queued, deferred and sending messages are never purged. Their events and unused attachment contents go with them.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("older-than"), help: "Age, e.g. 30d, 12h.") var olderThan: String
    @Flag(help: "Print as JSON.") var json = false

    func validate() throws {
        guard DurationText.milliseconds(olderThan) != nil else {
            throw ValidationError("--older-than '\(olderThan)' is not a duration like 30d, 12h, 90m")
        }
    }

    func run() throws {
        let now = nowMilliseconds()
        let cutoff = now - DurationText.milliseconds(olderThan)!
        let progress = ProgressLine.onTerminal("purge", unit: "message(s)")
        let result = try database.operate { outbox in
            try await outbox.purge(finishedBefore: cutoff, now: now, chunk: 5000) { done, total in progress?.set(done: done, total: total) }
        }
        progress?.finish()
        if json { try Formatting.printJSON(result); return }
        print("\(result.changed) finished message(s) purged")
    }
}
