import ArgumentParser
import Foundation
import OutboxPostgres
import OutboxStore

/// `outbox store …`: moving an outbox between stores (issue #14).
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move an outbox between stores (SQLite to PostgreSQL).", subcommands: [StoreCopyCommand.self])
}

/// `outbox store copy --from PATH --to postgres://…`: copies an SQLite outbox, live or
/// stopped, into a PostgreSQL database in one transaction and verifies it.
struct StoreCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy", abstract: "Copy an SQLite outbox into a PostgreSQL database, then verify counts and content hashes.",
        discussion: """
            The SQLite outbox is read from one consistent snapshot, so serve may keep running on it; the copy is the outbox as it \
            was at that moment. Stop serve on SQLite before starting it on PostgreSQL: a message sent after the snapshot would \
            still be queued in the copy. Everything is written in one transaction: on any failure nothing is left in the target, \
            and the same command can be run again. Secrets are copied sealed: the PostgreSQL nodes need the same secrets key. \
            The password comes from the systemd credential outbox-database-password or PGPASSFILE, never from the URL.
            """)

    @Option(help: ArgumentHelp("The SQLite outbox to copy (read only).", valueName: "path")) var from: String
    @Option(help: ArgumentHelp("The PostgreSQL outbox to copy into: postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE].", valueName: "url"))
    var to: String
    @Flag(name: .customLong("into-non-empty"), help: "Add to a PostgreSQL outbox that already holds data (ids must not collide; a collision copies nothing).")
    var intoNonEmpty = false
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard !PostgresLocation.isPostgres(from) else { throw ValidationError("--from must be an SQLite outbox file, not '\(from)'") }
        guard PostgresLocation.isPostgres(to) else { throw ValidationError("--to must be a postgres:// URL") }
    }

    func run() throws {
        let from = from, to = to, intoNonEmpty = intoNonEmpty
        let report = try Failure.guarding {
            try DatabaseOptions.waitFor {
                let snapshot = try OutboxSnapshot(path: from)
                defer { snapshot.close() }
                let store = try await PostgresStore.open(try PostgresLocation(to))
                defer { store.close() }
                do {
                    return try await store.copy(from: snapshot, intoNonEmpty: intoNonEmpty)
                } catch {
                    throw PostgresStore.reported(error, doing: "store copy into \(store.location) failed; nothing was copied")
                }
            }
        }
        if json { try Formatting.printJSON(report); return }
        print("copied \(report.source) (schema \(report.sourceSchema)) to \(report.target) in \(String(format: "%.1f", report.seconds)) s")
        print(Formatting.table([["table", "rows", "content sha256 (sum of row hashes)"]]
            + report.tables.map { [$0.name, String($0.rows), $0.sha256] }))
        print("verified: every table reads back from PostgreSQL with the same row count and content hash")
        if let last = report.lastEventID { print("the copy ends with event \(last)") }
        for note in report.notCarried { print("not carried: \(note)") }
        if report.sendingAtSnapshot > 0 {
            print("\(report.sendingAtSnapshot) message(s) were being sent at the snapshot: their outcome is recorded only in \(report.source); "
                + "on PostgreSQL they return to the queue when their lease expires")
        }
        print("secrets were copied sealed: PostgreSQL nodes need the same secrets key (\(SecretKeySource.resolve(databasePath: report.source)))")
    }
}
