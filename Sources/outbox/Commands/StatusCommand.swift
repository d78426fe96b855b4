import ArgumentParser
import OutboxPostgres
import OutboxStore

/// `outbox status`: counts by state and owner, the oldest queued message, the last event.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show queue counts by state and owner.")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        if database.isPostgres {
            let (status, paces, unknown) = try database.readPostgresStore { store in
                (try await store.status(), try await store.sendPaces(), try await store.unknownOutcomes())
            }
            try report(status, problems: try database.senderProblems(owner: nil), paces: paces, unknown: unknown)
            return
        }
        let outbox = try database.open(.readOnly)
        let status = try Failure.guarding { try outbox.status() }
        let problems = try Failure.guarding { try outbox.senderProblems() }
        try report(status, problems: problems, paces: (try? outbox.sendPaces()) ?? [], unknown: (try? outbox.unknownOutcomes()) ?? [])
    }

    private func report(_ status: OutboxStatus, problems: [SenderProblemRecord], paces: [SendPaceRecord], unknown: [UnknownOutcome]) throws {
        if json { try Formatting.printJSON(StatusReport(status: status, senderProblems: problems)); return }
        let states = ["queued", "sending", "deferred", "sent", "failed", "cancelled"]
        print(states.map { "\($0) \(status.totals[$0] ?? 0)" }.joined(separator: "  "))
        if let oldest = status.oldestQueuedAt {
            print("oldest queued: \(Formatting.time(oldest)) (\(Formatting.age(nowMilliseconds() - oldest)) ago)")
        }
        if !status.counts.isEmpty {
            print("")
            var rows = [["OWNER"] + states.map { $0.uppercased() }]
            let owners = Array(Set(status.counts.map(\.owner))).sorted()
            for owner in owners {
                rows.append([owner] + states.map { state in
                    String(status.counts.first { $0.owner == owner && $0.state == state }?.count ?? 0)
                })
            }
            print(Formatting.table(rows))
        }
        if !paces.isEmpty {
            print("\nslowed by the provider (ramps back after accepted messages):")
            for pace in paces {
                let paused = pace.pausedUntil > nowMilliseconds() ? "paused until \(Formatting.time(pace.pausedUntil)), " : ""
                print("  \(pace.owner): level \(pace.level), \(paused)since \(Formatting.time(pace.updatedAt)) — \(pace.reason)")
            }
        }
        if !unknown.isEmpty {
            print("\noutcome unknown (connection lost after the final \".\"; resolve with outbox resolve ID --sent|--resend): \(unknown.count)")
            unknown.prefix(20).forEach { print("  message \($0.messageID) of \($0.owner): " + UnknownOutcomeText.line($0)) }
        }
        let problemLines = SenderProblemText.lines(problems, showOwner: true)
        if !problemLines.isEmpty { print(""); problemLines.forEach { print($0) } }
        print("")
        print("last event: " + (status.lastEvent.map(Formatting.event) ?? "none"))
    }
}

/// `status --json`: the queue figures with the sender-problem counters beside them.
private struct StatusReport: Encodable {
    let status: OutboxStatus
    let senderProblems: [SenderProblemRecord]

    private enum CodingKeys: String, CodingKey { case senderProblems }

    func encode(to encoder: any Encoder) throws {
        try status.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(senderProblems, forKey: .senderProblems)
    }
}
