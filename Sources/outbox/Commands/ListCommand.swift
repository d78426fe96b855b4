import ArgumentParser
import OutboxCore
import OutboxStore

/// `outbox list`: messages with filters and keyset pagination.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List messages (oldest first).",
        discussion: "Page through results with --after: pass the last id of the previous page.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only messages in this state: \(MessageState.allCases.map(\.rawValue).joined(separator: ", ")).") var state: String?
    @Option(help: "Only this owner's messages.") var owner: String?
    @Option(help: "Only this batch's messages.") var batch: Int64?
    @Option(help: "Only messages created since: a duration (2h, 7d) or an ISO 8601 time.") var since: String?
    @Option(help: "Only messages with an id greater than this (next page).") var after: Int64?
    @Option(help: "At most this many messages (1-10000).") var limit = 50
    @Flag(help: "Print as JSON.") var json = false

    func validate() throws {
        if let state, MessageState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(MessageState.allCases.map(\.rawValue).joined(separator: ", ")), not '\(state)'")
        }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() throws {
        let filter = MessageFilter(state: state, owner: owner, batchID: batch,
                                   since: try TimeFilter.since(since, now: nowMilliseconds()), afterID: after, limit: limit)
        let messages = database.isPostgres
            ? try database.readPostgres { try await $0.messages(filter) }
            : try Failure.guarding { try database.open(.readOnly).messages(filter) }
        if json { try Formatting.printJSON(messages); return }
        guard !messages.isEmpty else { print("no messages"); return }
        // Scheduled messages add two columns; a list without any keeps its width.
        let scheduled = messages.contains { $0.notBefore != nil || $0.expiresAt != nil }
        var rows = [["ID", "STATE", "OWNER", "BATCH", "TO", "SUBJECT", "ATTEMPTS", "CREATED"] + (scheduled ? ["NOT BEFORE", "EXPIRES"] : [])]
        for message in messages {
            let to = (message.firstRecipient ?? "-") + (message.recipientCount > 1 ? " +\(message.recipientCount - 1)" : "")
            rows.append([String(message.id), message.state, message.owner, String(message.batchID), Formatting.clip(to, 32),
                         Formatting.clip(message.subject, 40), String(message.attempts), Formatting.time(message.createdAt)]
                        + (scheduled ? [Formatting.time(message.notBefore), Formatting.time(message.expiresAt)] : []))
        }
        print(Formatting.table(rows))
        if messages.count == limit, let last = messages.last { print("more: --after \(last.id)") }
    }
}
