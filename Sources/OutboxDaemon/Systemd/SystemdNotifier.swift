import CSystemd

/// Tells the service manager about the daemon's state through `sd_notify` (`Type=notify`):
/// ``ready(status:)`` once the database is open and migrated, ``status(_:)`` with queue figures,
/// ``watchdog()`` every ``watchdogInterval``, ``stopping(status:)`` on SIGTERM.
/// Every call does nothing (and returns false) when the process was not started with `NOTIFY_SOCKET`.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends one or more newline-separated assignments; returns whether systemd received them.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// `READY=1`: start-up finished (database open and migrated).
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        notify(["READY=1", status.map(Self.statusLine)].compactMap(\.self).joined(separator: "\n"))
    }

    /// `STATUS=…`: one line shown by `systemctl status`. Line breaks become spaces.
    @discardableResult
    public func status(_ text: String) -> Bool {
        notify(Self.statusLine(text))
    }

    /// `WATCHDOG=1`: the daemon is alive. Send every ``watchdogInterval`` while the delivery loop is healthy.
    @discardableResult
    public func watchdog() -> Bool {
        notify("WATCHDOG=1")
    }

    /// `RELOADING=1`: a configuration reload (SIGHUP) started; follow with ``ready(status:)`` when done.
    @discardableResult
    public func reloading() -> Bool {
        notify("RELOADING=1")
    }

    /// `STOPPING=1`: shutdown started (SIGTERM); in-flight sends are finishing or being released.
    @discardableResult
    public func stopping(status: String? = nil) -> Bool {
        notify(["STOPPING=1", status.map(Self.statusLine)].compactMap(\.self).joined(separator: "\n"))
    }

    /// How often to send ``watchdog()``: half of the unit's `WatchdogSec=` (from `WATCHDOG_USEC`,
    /// checked against `WATCHDOG_PID` by `sd_watchdog_enabled`); nil when no watchdog is expected.
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0 else { return nil }
        return Self.pingInterval(watchdogMicroseconds: microseconds)
    }

    /// Half the watchdog timeout, so one late ping does not get the service killed.
    public static func pingInterval(watchdogMicroseconds: UInt64) -> Duration {
        .microseconds(Int64(clamping: watchdogMicroseconds / 2))
    }

    /// Whether stderr is connected to the journal (the service runs under systemd).
    public static var stderrIsJournal: Bool { csystemd_stderr_is_journal() != 0 }

    static func statusLine(_ text: String) -> String {
        "STATUS=" + String(text.map { $0.isNewline ? " " : $0 })
    }
}
