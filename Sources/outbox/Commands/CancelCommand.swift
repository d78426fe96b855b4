import ArgumentParser
import OutboxStore

/// `outbox cancel ID | --batch B`: stop queued or deferred messages from being sent.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a queued or deferred message, or a whole batch.")

    @OptionGroup var target: MessageTarget
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let now = nowMilliseconds(), batch = target.batch, id = target.id
        let result = try target.database.operate { outbox in
            if let batch { return try await outbox.cancel(batchID: batch, now: now) }
            return try await outbox.cancel(messageID: id!, now: now)
        }
        if json { try Formatting.printJSON(result); return }
        print("\(result.changed) message(s) cancelled" + (result.skipped > 0 ? ", \(result.skipped) left alone (already sending or finished)" : ""))
    }
}

/// A message id or `--batch B`, for commands that act on either.
struct MessageTarget: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Message id.") var id: Int64?
    @Option(help: "Act on every message of this batch.") var batch: Int64?

    func validate() throws {
        guard (id == nil) != (batch == nil) else { throw ValidationError("give a message id or --batch B (one of them)") }
    }
}
