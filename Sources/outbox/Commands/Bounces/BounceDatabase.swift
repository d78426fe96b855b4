import ArgumentParser
import OutboxDaemon
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

    /// The OAuth tokens an XOAUTH2 login of `store`'s owner profiles uses: on PostgreSQL the
    /// profile store of that outbox, whose refresh one node at a time makes under the owner's
    /// advisory lock (as `serve`'s poller); nil on SQLite, where the poller reads the file itself.
    static func oauthTokens(of store: any BounceStore) -> (any AccessTokenSource)? {
        (store as? PostgresBounceStore).map { StoredOAuthTokens(database: PostgresProfileStore(store: $0.store)) }
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
