import ArgumentParser
import Foundation
import OutboxStore

/// `--db PATH`, shared by every command that opens the outbox.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "Database file (default: $OUTBOX_DB, else /var/lib/outbox/outbox.db for root and whoever can read it (group outbox), else $XDG_STATE_HOME/outbox/outbox.db).",
        valueName: "path"))
    var path: String?

    /// Opens the database: read-write by default (the file is created in an existing
    /// directory); `.readOnly` for commands that only look.
    func open(_ access: OutboxDatabase.Access = .readWrite) throws -> OutboxDatabase {
        try Failure.guarding {
            if isPostgres { throw Self.postgresNotYet }
            return try OutboxDatabase(path: resolvedPath, access: access)
        }
    }

    /// `--db`, else `$OUTBOX_DB`, else the default for this user.
    var resolvedPath: String { DatabaseLocation.resolve(explicit: path) }
}

/// The current time in the store's unit (Unix milliseconds).
func nowMilliseconds() -> Int64 { OutboxDatabase.milliseconds(Date()) }
