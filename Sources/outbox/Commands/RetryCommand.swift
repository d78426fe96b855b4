import ArgumentParser
import OutboxStore

/// `outbox retry ID | --batch B`: make queued, deferred or failed messages due now.
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Make a deferred or failed message (or a batch) due now.")

    @OptionGroup var target: MessageTarget
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let now = nowMilliseconds(), batch = target.batch, id = target.id
        let result = try target.database.operate { outbox in
            if let batch { return try await outbox.retry(batchID: batch, now: now) }
            return try await outbox.retry(messageID: id!, now: now)
        }
        if json { try Formatting.printJSON(result); return }
        print("\(result.changed) message(s) due now" + (result.skipped > 0 ? ", \(result.skipped) left alone (sending, sent or cancelled)" : ""))
    }
}
