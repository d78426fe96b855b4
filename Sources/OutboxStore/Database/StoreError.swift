import Foundation
import GRDB

/// A store operation that could not be done, with a code callers can match and text
/// that says what failed, where, and what to try.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case directoryNotWritable, cannotCreateDatabase, cannotOpenDatabase, busy, notFound, invalidState
        /// The directory the database should be in does not exist (only `serve` and `init` create it).
        case directoryMissing
        /// The database file does not exist and this command does not create it.
        case databaseMissing
        /// The database's schema is older (or newer) than this binary's.
        case schemaMismatch
        /// The disk (or the file system's quota) is full.
        case diskFull
        /// The database file or its directory is read-only.
        case readOnly
        /// Reading or writing the file failed.
        case ioError
        /// Stored data cannot be read back (a damaged compressed body or attachment).
        case corruptData
        /// A retry of a message past its `expiresAt` that gives it no later expiry.
        case expired
        /// The database server cannot be reached (a PostgreSQL outbox whose server is down or cut off).
        case unreachable
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Conditions that may pass by themselves (a full disk, a locked database, an I/O
    /// error, a database server out of reach): the same command can be tried again later unchanged.
    public var isTemporary: Bool { [.busy, .diskFull, .ioError, .unreachable].contains(code) }

    public var description: String { reason }

    /// A SQLite failure while `doing` something to the database at `path`, in words,
    /// with the code behind it. An I/O error on a disk with no space left is a full disk
    /// (SQLite reports a WAL index it cannot grow as an I/O error).
    static func from(_ error: DatabaseError, doing: String, path: String) -> StoreError {
        var primary = ResultCode(rawValue: error.resultCode.rawValue & 0xFF)
        let message = error.message ?? "\(error.resultCode)"
        if primary == .SQLITE_IOERR, isFull(directoryOf: path) { primary = .SQLITE_FULL }
        switch primary {
        case .SQLITE_FULL: return StoreError(.diskFull, "\(doing): the disk is full (\(message)); free space and try again")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.busy, "\(doing): the database is locked by another process (\(message)); try again")
        case .SQLITE_READONLY: return StoreError(.readOnly, "\(doing): the database is read-only (\(message))")
        case .SQLITE_IOERR: return StoreError(.ioError, "\(doing): disk I/O error (\(message)); try again")
        default: return StoreError(.cannotOpenDatabase, "\(doing): \(message)")
        }
    }

    private static func isFull(directoryOf path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        return statvfs(directory.isEmpty ? "." : directory, &info) == 0 && info.f_bavail == 0
    }
}
