import Foundation
import GRDB

/// Creates the database file (and its directory) with restrictive permissions before
/// SQLite opens it, so it never exists world-readable. SQLite gives the `-wal` and
/// `-shm` files the same mode as the database file.
enum DatabaseFile {
    /// Ensures `path` exists: mode 0600, or 0660 less the umask when the group shares it
    /// (see ``fileMode(descriptor:directory:)``). A missing directory is created only when
    /// `createDirectories` (`serve`, `init`), else refused: a mistyped path must not
    /// start a fresh outbox that no daemon reads. Throws a ``StoreError`` naming the
    /// directory when it is missing or cannot be written.
    static func prepare(path: String, createDirectories: Bool) throws(StoreError) {
        let directory = directory(of: path)
        if access(path, F_OK) == 0 { return }
        if access(directory, F_OK) != 0 {
            guard createDirectories else {
                throw StoreError(.directoryMissing, "directory \(directory) for the database \(path) does not exist; "
                    + "create it with `outbox init`, or choose another path with --db or OUTBOX_DB")
            }
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.directoryNotWritable, "cannot create directory \(directory) for the database: \(reason(errno))\(hint)")
            }
        }
        guard access(directory, W_OK) == 0 else {
            throw StoreError(.directoryNotWritable, "cannot write to directory \(directory): \(reason(errno))\(hint)")
        }
        // Made under a name of this process's and linked into place whole: another process
        // opening `path` at the same moment finds no file or an initialised one, never one
        // whose page size is still being set. Of two that create at once, one link wins.
        let candidate = "\(path)-new-\(getpid())"
        unlink(candidate)  // left by a process that had this id and crashed
        let descriptor = open(candidate, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o660)
        guard descriptor >= 0 else {
            throw StoreError(.cannotCreateDatabase, "cannot create database \(path): \(reason(errno))\(hint)")
        }
        defer { unlink(candidate) }
        fchmod(descriptor, fileMode(descriptor: descriptor, directory: directory))
        close(descriptor)
        try setPageSize(path: candidate)
        guard link(candidate, path) == 0 || errno == EEXIST else {
            throw StoreError(.cannotCreateDatabase, "cannot create database \(path): \(reason(errno))\(hint)")
        }
    }

    /// Runs `body` (the schema migration) holding an exclusive `flock` on the database's
    /// directory: GRDB's migrator reads which steps are applied before it runs them, so two
    /// processes migrating one database at once would both run a step and one fail. The
    /// lock is not SQLite's (closing another descriptor of the database file would drop
    /// SQLite's own locks), is released when the process ends, and is held only while a
    /// migration is due. Waits up to `timeout` seconds for another process's migration.
    /// Where the directory cannot be opened for reading, `body` runs unlocked.
    static func migrating<T>(path: String, timeout: Double, _ body: () throws -> T) throws -> T {
        let descriptor = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }  // releases the lock
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                throw StoreError(.busy, "cannot open database \(path): another process has been migrating it for \(Int(timeout)) s "
                    + "(or holds a lock on \(directory(of: path))); try again")
            }
            usleep(5_000)
        }
        return try body()
    }

    /// The directory `path` is in ("." for a bare file name).
    static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    /// The group shares the database when the umask grants the group write access (the
    /// unit's `UMask=0007`: operators in group `outbox` need write access to `-shm` even to
    /// read) or the directory is setgid; the file is then 0660 less the umask (which the
    /// kernel already applied to `descriptor`'s 0660). Otherwise it is 0600. Never
    /// world-accessible. SQLite gives `-wal` and `-shm` the database file's mode.
    private static func fileMode(descriptor: Int32, directory: String) -> mode_t {
        var file = stat(), folder = stat()
        guard fstat(descriptor, &file) == 0 else { return 0o600 }
        let umaskGrantsGroupWrite = file.st_mode & S_IWGRP != 0
        let setgidDirectory = stat(directory, &folder) == 0 && folder.st_mode & S_ISGID != 0
        return umaskGrantsGroupWrite || setgidDirectory ? file.st_mode & 0o660 : 0o600
    }

    /// 4 KiB pages (SQLite's default; 16 KiB before v11): every delivery outcome rewrites a
    /// handful of pages (the message row's leaf, index leaves, an event leaf), each copied
    /// whole into the WAL, check-summed and synced; with bodies stored compressed a
    /// message row fits a 4 KiB leaf. Measured on 2,000 ~5 KB messages: 55 KB instead of
    /// 85 KB written per delivered message, 7 % fewer instructions (uncompressed bodies).
    /// Only possible while the file is empty, before WAL mode is switched on; existing
    /// databases keep their page size.
    static let pageSize = 4096

    private static func setPageSize(path: String) throws(StoreError) {
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA page_size = \(pageSize)")
                try db.execute(sql: "VACUUM")
            }
            try queue.close()
        } catch {
            throw StoreError(.cannotCreateDatabase, "cannot initialise database \(path): \(error)")
        }
    }

    private static let hint = " (choose another path with --db or OUTBOX_DB)"

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
