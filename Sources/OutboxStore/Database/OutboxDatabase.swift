import Foundation
import GRDB

/// The outbox: one SQLite database in WAL mode, opened and migrated. All reads and
/// writes go through it. Safe to share between tasks and threads.
public final class OutboxDatabase: Sendable {
    /// How a command opens the database.
    public enum Access: Sendable {
        /// Read and write: the file is created (mode 0600) if missing, in a directory
        /// that must exist, and the schema is migrated. `enqueue`, `bounces ingest`, …
        case readWrite
        /// Like ``readWrite``, and missing directories are created: `serve` and `init`.
        case createDirectories
        /// Read only (`SQLITE_OPEN_READONLY`): nothing is created or migrated, so it works
        /// on a read-only file or a full disk. Where SQLite cannot create the WAL index,
        /// the file is read as immutable. A schema older than the binary is refused.
        case readOnly
    }

    /// The database file path.
    public let path: String
    let pool: DatabasePool
    /// The private key that opens sealed secrets (read when first needed).
    public let secrets: SecretVault

    /// Opens the database at `path` as `access` says; read-write, it then seals any
    /// plain-text secret left from before `v7-sealed-secrets` if it can.
    /// - Parameter busyTimeout: how long a write waits for another writer (seconds).
    /// - Parameter secretKey: where the secrets key is; default ``SecretKeySource/resolve(databasePath:environment:)``.
    public init(path: String, access: Access = .readWrite, busyTimeout: Double = 60, secretKey: SecretKeySource? = nil) throws(StoreError) {
        // A PostgreSQL URL is never opened as a file name (serve would create `postgres:/…`).
        guard !path.hasPrefix("postgres://"), !path.hasPrefix("postgresql://") else {
            throw StoreError(.cannotOpenDatabase, "the database setting is a PostgreSQL URL, which this command cannot open as an SQLite file")
        }
        self.path = path
        secrets = SecretVault(source: secretKey ?? .resolve(databasePath: path))
        if access == .readOnly {
            pool = try Self.openReadOnly(path: path)
            return
        }
        try DatabaseFile.prepare(path: path, createDirectories: access == .createDirectories)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        // Statement journals (UPDATEs that fire triggers) in memory, not a temporary file
        // created and deleted by every such transaction.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // FULL: a commit survives power loss, not only a crash. Set on the writer after
            // the pool has switched to WAL (which sets NORMAL); readers never commit.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA cache_size = \(Self.writerCacheSize)")
            }
            let migrator = OutboxMigrations.migrator
            if try !pool.read(migrator.hasCompletedMigrations) {
                try DatabaseFile.migrating(path: path, timeout: busyTimeout) { try migrator.migrate(pool) }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.from(error, doing: "cannot open database \(path)", path: path)
        } catch {
            throw StoreError(.cannotOpenDatabase, "cannot open database \(path): \(error)")
        }
        _ = try? sealPendingSecrets()  // without the key this waits for a process that has it
    }

    /// The writer's page cache (SQLite's negative form: KiB), 8 MiB: the index pages every
    /// delivery outcome touches stay in memory instead of being read back through the WAL.
    static let writerCacheSize = -8192

    /// Unix milliseconds for a date; the store keeps every time in this form.
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
