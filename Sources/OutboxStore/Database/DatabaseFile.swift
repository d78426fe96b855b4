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
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
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
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o660)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw StoreError(.cannotCreateDatabase, "cannot create database \(path): \(reason(errno))\(hint)")
        }
        fchmod(descriptor, fileMode(descriptor: descriptor, directory: directory))
        close(descriptor)
        try setPageSize(path: path)
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

    /// 16 KiB pages: ~5 KB messages and 20-100 KB attachments fit in fewer pages and
    /// overflow chains, and checkpoints copy a quarter as many pages. Only possible
    /// while the file is empty, before WAL mode is switched on.
    private static func setPageSize(path: String) throws(StoreError) {
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA page_size = 16384")
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
