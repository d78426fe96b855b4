import ArgumentParser
import Foundation
import OutboxStore
import OutboxTransport

/// `outbox version [--verbose]`: what an operator quotes when filing a problem.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version; --verbose adds SQLite, libcurl and schema versions (and the database's schema, if readable).")

    /// This build's version.
    static let current = "0.1.0"

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Also print the SQLite, libcurl and schema versions.") var verbose = false

    func run() throws {
        Self.printVersion(verbose: verbose, database: DatabaseLocation.resolve(explicit: database.path))
    }

    static func printVersion(verbose: Bool, database: String?) {
        print("outbox \(current)")
        guard verbose else { return }
        print("sqlite \(OutboxDatabase.sqliteVersion)")
        print("libcurl \(CurlRuntime.version)")
        print("schema \(OutboxDatabase.schemaVersions.last ?? "-") (\(OutboxDatabase.schemaVersions.count) steps)")
        let path = database ?? DatabaseLocation.resolve(explicit: nil)
        if let applied = try? OutboxDatabase.appliedSchema(path: path) {
            print("database \(path): schema \(applied)")
        }
    }
}
