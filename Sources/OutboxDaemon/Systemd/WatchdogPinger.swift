/// Sends `WATCHDOG=1` at the notifier's ``SystemdNotifier/watchdogInterval`` for as long as the
/// daemon is healthy, so a hung delivery loop gets the service restarted.
public struct WatchdogPinger: Sendable {
    public let notifier: SystemdNotifier
    public let interval: Duration?

    /// `interval` defaults to the one systemd asked for; nil disables pinging.
    public init(notifier: SystemdNotifier = SystemdNotifier(), interval: Duration? = SystemdNotifier().watchdogInterval) {
        self.notifier = notifier
        self.interval = interval
    }

    /// Pings every `interval` while `isHealthy()` says so, until the task is cancelled.
    /// Returns at once when no watchdog is configured.
    public func run(isHealthy: @Sendable () async -> Bool = { true }) async {
        guard let interval else { return }
        while !Task.isCancelled {
            if await isHealthy() { notifier.watchdog() }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
