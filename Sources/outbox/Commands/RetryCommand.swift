import ArgumentParser
import OutboxStore

/// `outbox retry ID | --batch B`: make queued, deferred or failed messages due now.
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Make a deferred or failed message (or a batch) due now.")

    @OptionGroup var target: MessageTarget
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let outbox = try target.database.open()
        let now = nowMilliseconds()
        let result = try Failure.guarding {
            if let batch = target.batch { return try outbox.retry(batchID: batch, now: now) }
            return try outbox.retry(messageID: target.id!, now: now)
        }
        if json { try Formatting.printJSON(result); return }
        print("\(result.changed) message(s) due now" + (result.skipped > 0 ? ", \(result.skipped) left alone (sending, sent or cancelled)" : ""))
    }
}
