import GRDB

extension OutboxDatabase {
    /// Ends this process's use of the database at a clean stop: a `TRUNCATE` checkpoint
    /// copies the write-ahead log into the database file, then every connection of the pool
    /// closes. When no other process has the database open, SQLite then deletes the `-wal`
    /// and `-shm` files. Any use after `close()` fails.
    public func close() throws(StoreError) {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            // The read-only reader connections close first (GRDB's close() ends the writer
            // first, and a read-only connection closing last cannot delete the WAL).
            pool.releaseMemory()
            try pool.close()
        } catch {
            throw StoreError(.cannotOpenDatabase, "closing database \(path): \(error)")
        }
    }
}
