import Foundation
import OutboxTestSupport
import Testing
@testable import OutboxDaemon

/// The `sd_notify` protocol against a real Unix datagram socket. libsystemd reads `NOTIFY_SOCKET`
/// from the process environment, so the sending side runs in a child process (this test binary,
/// filtered to ``notifyChild()``) instead of calling `setenv` while other tests run in parallel.
@Suite struct NotifyProtocolTests {
    static let childFlag = "OUTBOX_TEST_NOTIFY_CHILD"

    @Test func daemonStatesArriveAsDatagrams() async throws {
        let directory = try TemporaryDirectory()
        let socket = try DatagramSocket(path: directory.path + "/notify")
        let child = try TestChild.run(filter: "notifyChild", environment: [
            "NOTIFY_SOCKET": socket.path, Self.childFlag: "1", "WATCHDOG_USEC": "30000000",
        ])

        var received: [String] = []
        while let datagram = await socket.receive(within: .seconds(60)) {
            received.append(datagram)
            if datagram.hasPrefix("STOPPING=1") { break }
        }
        #expect(try await child.exit(within: 120) == .exited(0), "child test run failed")
        #expect(received == [
            "READY=1\nSTATUS=started",
            "STATUS=queued 3 sending 1",
            "WATCHDOG=1",
            "STATUS=watchdog-interval-ms=15000",
            "RELOADING=1",
            "STATUS=watchdog-interval-ms=none",
            "STOPPING=1\nSTATUS=stopping: 1 in flight",
        ])
    }

    @Test func pingIntervalIsHalfTheWatchdogTimeout() {
        #expect(SystemdNotifier.pingInterval(watchdogMicroseconds: 30_000_000) == .seconds(15))
        #expect(SystemdNotifier.pingInterval(watchdogMicroseconds: 1_000) == .microseconds(500))
    }

    @Test func statusCannotInjectOtherAssignments() {
        #expect(SystemdNotifier.statusLine("a\nREADY=1\r\nb") == "STATUS=a READY=1 b")
    }

    /// The sending side; runs only inside the child started by ``daemonStatesArriveAsDatagrams()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childFlag] == "1"))
    func notifyChild() {
        let notifier = SystemdNotifier()
        #expect(notifier.ready(status: "started"))
        #expect(notifier.status("queued 3\nsending 1"))
        #expect(notifier.watchdog())
        notifier.status("watchdog-interval-ms=\(notifier.watchdogInterval.map { String($0.components.seconds * 1000) } ?? "none")")
        notifier.reloading()
        // Only this test runs in the child, so changing the environment here races with nothing.
        setenv("WATCHDOG_PID", "1", 1)
        notifier.status("watchdog-interval-ms=\(notifier.watchdogInterval.map { String($0.components.seconds * 1000) } ?? "none")")
        #expect(notifier.stopping(status: "stopping: 1 in flight"))
    }
}
