import ArgumentParser
import OutboxCore
import OutboxStore

/// `outbox retry ID | --batch B`: make queued, deferred or failed messages due now. A
/// message past its `expiresAt` is retried only with a new expiry (`--expires-at`) or none
/// (`--no-expiry`): as it is, it would fail as expired again at once.
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Make a deferred or failed message (or a batch) due now.")

    @OptionGroup var target: MessageTarget
    @Option(name: .customLong("expires-at"),
            help: ArgumentHelp("A new expiry for the retried messages: an RFC 3339 time (2026-12-05T18:00:00+02:00) or a duration from now (2d).",
                               valueName: "time"))
    var expiresAt: String?
    @Flag(name: .customLong("no-expiry"), help: "Retry without an expiry (the messages are sent however late).") var noExpiry = false
    @Flag(help: "Print as JSON.") var json = false

    func validate() throws {
        if expiresAt != nil && noExpiry { throw ValidationError("give --expires-at or --no-expiry, not both") }
    }

    func run() throws {
        let now = nowMilliseconds(), batch = target.batch, id = target.id
        let expiry = try Self.expiry(expiresAt, noExpiry: noExpiry, now: now)
        let result = try target.database.operate { outbox in
            do {
                if let batch { return try await outbox.retry(batchID: batch, now: now, expiry: expiry) }
                return try await outbox.retry(messageID: id!, now: now, expiry: expiry)
            } catch let error as StoreError where error.code == .expired {
                throw StoreError(.expired, error.reason + ": --expires-at TIME (or --no-expiry)")
            }
        }
        if json { try Formatting.printJSON(result); return }
        let others = result.skipped - result.expired
        print("\(result.changed) message(s) due now" + (others > 0 ? ", \(others) left alone (sending, sent or cancelled)" : "")
              + (result.expired > 0 ? ", \(result.expired) left alone past their expiry (retry them with --expires-at TIME or --no-expiry)" : ""))
    }

    /// `--expires-at` as Unix milliseconds, which must lie ahead.
    static func expiry(_ text: String?, noExpiry: Bool, now: Int64) throws -> RetryExpiry {
        if noExpiry { return .none }
        guard let text else { return .keep }
        guard let time = RFC3339Time.milliseconds(text) ?? DurationText.milliseconds(text).map({ now + $0 }) else {
            throw ValidationError("--expires-at: '\(text)' is neither an RFC 3339 time with an offset (2026-12-05T18:00:00+02:00) nor a duration (2d, 12h)")
        }
        guard time > now else { throw ValidationError("--expires-at: \(text) has already passed") }
        return .at(time)
    }
}
