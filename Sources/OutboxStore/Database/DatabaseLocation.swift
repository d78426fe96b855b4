import Foundation

/// Where the outbox database lives: `--db`, else `$OUTBOX_DB`, else
/// `/var/lib/outbox/outbox.db` for root and the `outbox` service user, else
/// `$XDG_STATE_HOME/outbox/outbox.db` (default `~/.local/state/outbox/outbox.db`).
public enum DatabaseLocation {
    /// The system-wide database path used by the service.
    public static let systemPath = "/var/lib/outbox/outbox.db"

    /// Resolves the database path from an explicit option and the environment.
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["OUTBOX_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? ""
        if geteuid() == 0 || user == "outbox" { return systemPath }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/state"
        return state + "/outbox/outbox.db"
    }
}
