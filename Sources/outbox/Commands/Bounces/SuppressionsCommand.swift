import ArgumentParser
import Foundation
import OutboxStore

/// `outbox suppressions list|add|remove`: addresses no message is sent to.
struct SuppressionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressions", abstract: "Show and edit the suppression list (addresses that are never sent to).",
        subcommands: [List.self, Add.self, Remove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List suppressed addresses, newest first, with cause, scope and expiry.",
            discussion: "SCOPE is 'all mail' for a dead address, a complaint or an operator's entry, and 'letters of OWNER' for an "
                + "address that unsubscribed from that owner's letters (its invoices and transactional mail still go).")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Also list entries whose expiry passed (they no longer block sending).") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let now = nowMilliseconds()
            let all = all
            let entries = try database.operate { outbox in
                (try await outbox.suppressions(now: now, includeExpired: all) + outbox.unsubscriptions())
                    .sorted { ($0.createdAt, $1.address) > ($1.createdAt, $0.address) }
            }
            if json { try Formatting.printJSON(entries); return }
            if entries.isEmpty { print("no suppressed addresses"); return }
            print(Formatting.table([["ADDRESS", "SCOPE", "SINCE", "UNTIL", "CAUSE", "EVENT", "BOUNCE", "REASON"]] + entries.map {
                [$0.address, $0.scope == .letters ? "letters of \($0.owner ?? "?")" : "all mail", Formatting.time($0.createdAt),
                 Self.expiry($0, now: now), $0.bounceReason ?? ($0.scope == .letters ? "unsubscribed" : "operator"),
                 $0.eventID.map { "#\($0)" } ?? "-", $0.bounceID.map { "#\($0)" } ?? "-", Formatting.clip($0.reason, 60)]
            }))
        }

        /// `never`, the expiry time, or `expired …`.
        private static func expiry(_ entry: SuppressionRecord, now: Int64) -> String {
            guard let expires = entry.expiresAt else { return "never" }
            return (entry.isActive(at: now) ? "" : "expired ") + Formatting.time(expires)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suppress an address.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The address.") var address: String
        @Option(help: "Why (kept with the entry and in the event).") var reason = "added by operator"
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let address = address, reason = reason, now = nowMilliseconds()
            let added = try database.operate { try await $0.addSuppression(address: address, reason: reason, now: now) }
            if json { try Formatting.printJSON(["address": address, "changed": added ? "added" : "unchanged"]); return }
            print(added ? "suppressed \(address)" : "\(address) was already suppressed")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop suppressing an address.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The address.") var address: String
        @Option(help: "Take back the address's unsubscription from this owner's letters (scope 'letters of OWNER') instead.")
        var owner: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let now = nowMilliseconds()
            let owner = owner, address = address
            let removed = try database.operate { outbox in
                if let owner { return try await outbox.removeUnsubscription(owner: owner, address: address, now: now) }
                return try await outbox.removeSuppression(address: address, now: now)
            }
            if json { try Formatting.printJSON(["address": address, "changed": removed ? "removed" : "unchanged"]); return }
            let scope = owner.map { " for owner \($0)'s letters" } ?? ""
            guard removed else {
                Terminal.error("\(address) is not on the suppression list\(scope)")
                throw ExitCode.failure
            }
            print("no longer suppressing \(address)\(scope)")
        }
    }
}
