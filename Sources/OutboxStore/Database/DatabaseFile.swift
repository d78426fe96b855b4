import Foundation
import GRDB

/// Creates the database file (and its directory) with restrictive permissions before
/// SQLite opens it, so it never exists world-readable. SQLite gives the `-wal` and
/// `-shm` files the same mode as the database file.
enum DatabaseFile {
    /// Ensures `path` exists: mode 0600, or 0640 when its directory is setgid (a
    /// service group shares it). A missing directory is created only when
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
        var info = stat()
        let groupShared = stat(directory, &info) == 0 && (info.st_mode & S_ISGID) != 0
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, groupShared ? 0o640 : 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw StoreError(.cannotCreateDatabase, "cannot create database \(path): \(reason(errno))\(hint)")
        }
        if groupShared { fchmod(descriptor, 0o640) }
        close(descriptor)
        try setPageSize(path: path)
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
