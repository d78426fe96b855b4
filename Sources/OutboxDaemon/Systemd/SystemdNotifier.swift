import CSystemd

/// Sends `sd_notify` state lines (`READY=1`, `STATUS=…`, `WATCHDOG=1`, `STOPPING=1`) to the
/// service manager. Does nothing when the process was not started with `NOTIFY_SOCKET`.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends one or more newline-separated assignments; returns whether systemd received them.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// Whether stderr is connected to the journal (the service runs under systemd).
    public static var stderrIsJournal: Bool { csystemd_stderr_is_journal() != 0 }
}
