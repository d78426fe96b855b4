import ArgumentParser
import Foundation
import OutboxStore

/// `--db PATH`, shared by every command that opens the outbox.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "Database file (default: $OUTBOX_DB, else /var/lib/outbox/outbox.db for root, else $XDG_STATE_HOME/outbox/outbox.db).",
        valueName: "path"))
    var path: String?

    func open() throws -> OutboxDatabase {
        let resolved = DatabaseLocation.resolve(explicit: path)
        return try Failure.guarding { try OutboxDatabase(path: resolved) }
    }
}

/// The current time in the store's unit (Unix milliseconds).
func nowMilliseconds() -> Int64 { OutboxDatabase.milliseconds(Date()) }
