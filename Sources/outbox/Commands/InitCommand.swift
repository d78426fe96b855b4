import ArgumentParser
import Foundation
import OutboxPostgres
import OutboxStore

/// `outbox init`: create the database (and its directories) and bring its schema up to
/// date — the only command besides `serve` that creates missing directories. On a
/// PostgreSQL outbox (`--db postgres://…`) it creates the schema in the existing database
/// (the database and its role are made on the server) or migrates it. Either way it says
/// what it did and which schema the outbox now has; run again, it changes nothing.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the outbox database and any missing directories, or migrate an existing one.",
        discussion: "On a PostgreSQL outbox (--db postgres://…), creates or migrates the schema in an existing database.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        guard database.isPostgres else { return try initialiseSQLite() }
        let setting = database.resolvedPath
        let (location, applied) = try Failure.guarding {
            let location = try PostgresLocation(setting)
            return (location, try DatabaseOptions.waitFor { try await PostgresStore.initialise(location) })
        }
        let done = applied.isEmpty ? "already up to date"
            : applied == PostgresStore.schemaSteps ? "created (\(applied.count) steps)" : "migrated (applied \(applied.joined(separator: ", ")))"
        print("outbox database \(location) is ready (schema \(PostgresStore.schemaSteps.last ?? "-"); \(done))")
    }

    /// A new file is created; an existing one is up to date when it opens read-only, migrated
    /// when that open refuses its schema and accepts it after the read-write open (a newer
    /// schema stays refused: exit 1 with that error); any other refusal: the open says why.
    private func initialiseSQLite() throws {
        let path = database.resolvedPath
        var done = "created"
        if FileManager.default.fileExists(atPath: path) {
            do {
                _ = try OutboxDatabase(path: path, access: .readOnly)
                done = "already up to date"
            } catch where error.code == .schemaMismatch {
                done = "migrated"
            } catch {
                done = ""
            }
        }
        let outbox = try database.open(.createDirectories)
        if done == "migrated" {
            // Refused again: the file's schema is newer than this binary's, which no open undoes.
            _ = try Failure.guarding { try OutboxDatabase(path: path, access: .readOnly) }
        }
        print("outbox database \(outbox.path) is ready (schema \(OutboxDatabase.schemaVersions.last ?? "-")\(done.isEmpty ? "" : "; " + done))")
    }
}
