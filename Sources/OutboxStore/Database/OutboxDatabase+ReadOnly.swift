import Foundation
import GRDB

extension OutboxDatabase {
    /// Opens `path` with `SQLITE_OPEN_READONLY` and checks its schema. When that fails
    /// because SQLite cannot create the WAL index (`-shm`) beside a read-only file, and
    /// there is no write-ahead log whose changes would be missed, the file is opened as
    /// `immutable`.
    static func openReadOnly(path: String) throws(StoreError) -> DatabasePool {
        guard access(path, F_OK) == 0 else {
            throw StoreError(.databaseMissing, "there is no database at \(path) (nothing was enqueued there yet; choose another path with --db or OUTBOX_DB)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try checkSchema(pool, path: path)
            return pool
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where canReadImmutable(path: path, error: error) {
            do {
                let pool = try DatabasePool(path: immutableURI(path), configuration: configuration)
                try checkSchema(pool, path: path)
                return pool
            } catch let error as StoreError {
                throw error
            } catch let error as DatabaseError {
                throw StoreError.from(error, doing: "cannot read database \(path)", path: path)
            } catch {
                throw StoreError(.cannotOpenDatabase, "cannot read database \(path): \(error)")
            }
        } catch let error as DatabaseError {
            throw StoreError.from(error, doing: "cannot read database \(path)", path: path)
        } catch {
            throw StoreError(.cannotOpenDatabase, "cannot read database \(path): \(error)")
        }
    }

    /// The schema steps this binary knows, in order.
    public static var schemaVersions: [String] { OutboxMigrations.migrator.migrations }

    /// Refuses a database whose schema is older or newer than this binary's, since a read
    /// command does not migrate.
    private static func checkSchema(_ pool: DatabasePool, path: String) throws {
        let migrator = OutboxMigrations.migrator
        let (complete, superseded, applied) = try pool.read { db in
            (try migrator.hasCompletedMigrations(db), try migrator.hasBeenSuperseded(db), try migrator.appliedIdentifiers(db))
        }
        let latest = migrator.migrations.last ?? "-"
        if superseded {
            throw StoreError(.schemaMismatch, "database \(path) has a newer schema than this outbox binary (which knows up to \(latest)); use the newer binary")
        }
        guard complete else {
            let has = migrator.migrations.last(where: applied.contains) ?? "none"
            throw StoreError(.schemaMismatch, "database \(path) has schema \(has), older than this outbox binary's \(latest); "
                + "read commands do not migrate: run `outbox init` (or start `outbox serve`) with write access first")
        }
    }

    /// Only when SQLite could not open the WAL index and no `-wal` file holds changes.
    private static func canReadImmutable(path: String, error: DatabaseError) -> Bool {
        let primary = ResultCode(rawValue: error.resultCode.rawValue & 0xFF)
        guard [.SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_IOERR].contains(primary) else { return false }
        var info = stat()
        return stat(path + "-wal", &info) != 0 || info.st_size == 0
    }

    /// `file:/path?immutable=1`, with the characters a URI reserves escaped.
    private static func immutableURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?immutable=1"
    }
}

extension OutboxDatabase {
    /// The SQLite library's version, e.g. `3.40.1`.
    public static var sqliteVersion: String {
        (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? "unknown"
    }

    /// The latest schema step applied to the database at `path` (`none` for none), read
    /// without creating or changing anything; throws when it cannot be read.
    public static func appliedSchema(path: String) throws -> String {
        guard access(path, R_OK) == 0 else { throw StoreError(.databaseMissing, "cannot read \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let migrator = OutboxMigrations.migrator
        return try queue.read { db in try migrator.completedMigrations(db).last } ?? "none"
    }
}
