import ArgumentParser
import OutboxStore

/// `outbox status`: counts by state and owner, the oldest queued message, the last event.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show queue counts by state and owner.")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let status = try Failure.guarding { try database.open(.readOnly).status() }
        if json { try Formatting.printJSON(status); return }
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
        print("")
        print("last event: " + (status.lastEvent.map(Formatting.event) ?? "none"))
    }
}
