import Foundation
import OutboxPostgres
import OutboxStore

/// The database: it opens (read-only: doctor never creates or migrates), its schema is this
/// binary's, the service user and its group can read and write it, and there is room to grow.
enum DatabaseChecks {
    /// The findings and, when it opened, the database for the checks that read it.
    static func run(_ context: DoctorContext) -> ([DoctorFinding], OutboxDatabase?) {
        let path = context.databasePath
        if PostgresLocation.isPostgres(path) { return ([postgres(path)], nil) }
        let database: OutboxDatabase
        do {
            database = try OutboxDatabase(path: path, access: .readOnly)
        } catch {
            return ([opening(error, path: path, user: context.serviceUser)] + diskSpace(path), nil)
        }
        var findings = [DoctorFinding.ok("database", "\(path) opens; schema \(OutboxDatabase.schemaVersions.last ?? "-") (current)")]
        findings.append(DatabaseAccess.check(path: path, serviceUser: context.serviceUser))
        findings += diskSpace(path)
        return (findings, database)
    }

    /// A PostgreSQL outbox: reachable from this host with its password and TLS settings, and
    /// its schema this binary's (the first connection creates or migrates it, as every
    /// command's and node's does). The checks that read an SQLite outbox are skipped.
    private static func postgres(_ setting: String) -> DoctorFinding {
        do {
            let location = try PostgresLocation(setting)
            let name = "\(location.user)@\(location.host):\(location.port)/\(location.database) (sslmode=\(location.tlsMode.rawValue))"
            let store = try DatabaseOptions.waitFor { try await PostgresStore.openReachable(location, maximumConnections: 1) }
            let queued = try? DatabaseOptions.waitFor { try await store.status().totals["queued", default: 0] }
            store.close()
            return .ok("database", "PostgreSQL outbox \(name) is reachable; schema current" + (queued.map { ", \($0) queued" } ?? ""))
        } catch {
            return .problem("database", "\(error)", fix: "check that the server runs and this host may reach it (pg_isready -h HOST -p PORT), "
                + "the password (systemd credential \(PostgresLocation.passwordCredential) or PGPASSFILE) and sslmode")
        }
    }

    private static func opening(_ error: StoreError, path: String, user: String) -> DoctorFinding {
        switch error.code {
        case .databaseMissing:
            return .problem("database", "there is no database at \(path)",
                            fix: "start the service (systemctl start outbox) or run `sudo -u \(user) outbox init --db \(path)`; "
                                + "if the path is wrong, correct [database] path in outbox.conf or OUTBOX_DB")
        case .schemaMismatch where error.reason.contains("newer schema"):
            return .problem("database", error.reason, fix: "install the outbox version that wrote it (a downgrade cannot read a newer schema)")
        case .schemaMismatch:
            return .problem("database", error.reason, fix: "start the service or run `sudo -u \(user) outbox init` to migrate it")
        default:
            return .problem("database", error.reason, fix: "check the file and its directory (ls -l), and the disk (df -h)")
        }
    }

    /// Free space beside the database against its size (with the write-ahead log).
    static func diskSpace(_ path: String) -> [DoctorFinding] {
        let directory = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else { return [] }
        let free = Int64(info.f_bavail) * Int64(info.f_frsize)
        let size = [path, path + "-wal"].reduce(Int64(0)) { total, file in
            var status = stat()
            return total + (stat(file, &status) == 0 ? Int64(status.st_size) : 0)
        }
        let text = "\(bytes(free)) free on \(directory), the outbox takes \(bytes(size))"
        if free < problemMargin {
            return [.problem("disk space", text, fix: "free space on \(directory) now: enqueues and delivery outcomes fail when the disk is full "
                + "(outbox purge --older-than 30d removes old sent mail)")]
        }
        if free < max(size, warningMargin) {
            return [.warning("disk space", text + " (less than the outbox's size or \(bytes(warningMargin)))",
                             fix: "free space or grow the filesystem before the next large batch; outbox purge --older-than 30d removes old sent mail")]
        }
        return [.ok("disk space", text)]
    }

    /// Below this a commit may fail any moment.
    static let problemMargin: Int64 = 16 << 20
    /// Below this (or the outbox's own size) one more large batch may not fit.
    static let warningMargin: Int64 = 256 << 20

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
