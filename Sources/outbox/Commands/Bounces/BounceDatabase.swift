import ArgumentParser
import OutboxPostgres
import OutboxStore

/// Opening and writing the database for the bounce doors, where every failure to record
/// is temporary (exit 75) so the message is kept and offered again.
enum BounceDatabase {
    /// The SQLite outbox, or the PostgreSQL one the setting names (`busyTimeout` is SQLite's:
    /// on PostgreSQL an ingest waits for another node's ingest as long as that one takes).
    static func open(_ options: DatabaseOptions, busyTimeout: Double) throws -> any BounceStore {
        let path = DatabaseLocation.resolve(explicit: options.path)
        guard options.isPostgres else { return try temporary { try OutboxDatabase(path: path, busyTimeout: busyTimeout) } }
        return try temporary {
            let location = try PostgresLocation(path)
            return try PostgresBounceStore(try DatabaseOptions.waitFor { try await PostgresStore.open(location, maximumConnections: 2) })
        }
    }

    static func temporary<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            Terminal.error("\(error.reason)\nnot recorded (temporary failure, exit 75: try again later)")
            throw SysExit.tempFail
        } catch {
            Terminal.error("\(error)\nnot recorded (temporary failure, exit 75: try again later)")
            throw SysExit.tempFail
        }
    }
}
