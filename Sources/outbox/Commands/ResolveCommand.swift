import ArgumentParser
import OutboxPostgres
import OutboxStore

/// `outbox resolve ID --sent|--resend`: an operator answers an unknown outcome (the
/// connection broke after the message's final "." and before the server's reply).
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve a message whose outcome is unknown: it was delivered (--sent), or send it again (--resend).",
        discussion: """
            A message's outcome is unknown when the connection broke after the whole message and its final "." were sent, \
            before the server answered. Outbox does not send it again on its own; `outbox status` lists such messages. \
            Check the recipient's copy or the Sent folder, then record what happened.
            """)

    enum Answer: String, EnumerableFlag {
        case sent, resend

        static func help(for value: Answer) -> ArgumentHelp? {
            switch value {
            case .sent: "The message was delivered: record it as sent."
            case .resend: "The message was not delivered: send it again now."
            }
        }
    }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Message id.") var id: Int64
    @Flag var answer: Answer
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let now = nowMilliseconds()
        let resolution: UnknownResolution = switch answer {
        case .sent: .sent(detail: "accepted: confirmed by an operator")
        case .resend: .resend(at: now, detail: "operator: send again now")
        }
        if database.isPostgres {
            try database.readPostgresStore { try await $0.resolveUnknown(messageID: id, resolution, byOperator: true, now: now) }
        } else {
            let outbox = try database.open()
            try Failure.guarding { try outbox.resolveUnknown(messageID: id, resolution, byOperator: true, now: now) }
        }
        if json { try Formatting.printJSON(["message": id.description, "resolved": answer.rawValue]); return }
        print(answer == .sent ? "message \(id) recorded as sent" : "message \(id) due now: it is sent again")
    }
}
