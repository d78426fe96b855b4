import Foundation

/// Where the outbox database lives: `--db`, else `$OUTBOX_DB`, else
/// `/var/lib/outbox/outbox.db` for root, the `outbox` service user and anyone who can
/// read that file (the operators in group `outbox`), else
/// `$XDG_STATE_HOME/outbox/outbox.db` (default `~/.local/state/outbox/outbox.db`).
public enum DatabaseLocation {
    /// The system-wide database path used by the service.
    public static let systemPath = "/var/lib/outbox/outbox.db"

    /// Resolves the database path from an explicit option and the environment.
    /// `systemPath` and `isRoot` exist for tests.
    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        systemPath: String = DatabaseLocation.systemPath, isRoot: Bool = geteuid() == 0
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["OUTBOX_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? ""
        if isRoot || user == "outbox" || access(systemPath, R_OK) == 0 { return systemPath }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/state"
        return state + "/outbox/outbox.db"
    }
}
