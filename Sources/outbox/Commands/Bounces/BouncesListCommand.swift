import ArgumentParser
import Foundation
import OutboxStore

/// `outbox bounces list`: the messages received at the bounce doors, newest first.
struct BouncesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List received bounces, newest first.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "At most this many (1-10000).") var limit = 50
    @Option(help: "Only bounces with an id below this (paging back).") var before: Int64?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() throws {
        let limit = limit, before = before
        let bounces = try database.operate { try await $0.bounces(limit: limit, beforeID: before) }
        if json { try Formatting.printJSON(bounces); return }
        if bounces.isEmpty { print("no bounces"); return }
        print(Formatting.table([["ID", "RECEIVED", "KIND", "REASONS", "MESSAGE", "SOURCE", "SUBJECT"]] + bounces.map {
            ["#\($0.id)", Formatting.time($0.receivedAt), $0.kind, Formatting.clip($0.reasons ?? "-", 40), Self.match($0),
             Formatting.clip($0.source, 40), Formatting.clip($0.subject ?? "", 50)]
        }))
    }

    /// `12 (verp)`, or `-` when unmatched.
    private static func match(_ bounce: BounceRecord) -> String {
        bounce.messageID.map { "\($0) (\(bounce.matchedBy ?? "?"))" } ?? "-"
    }
}
