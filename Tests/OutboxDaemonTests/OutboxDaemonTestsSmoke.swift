import Testing
import OutboxDaemon

/// Placeholder so the target has a source until the real suites land.
@Suite struct OutboxDaemonTestsSmoke {
    @Test func moduleLinks() {
        _ = SystemdNotifier()
    }
}
