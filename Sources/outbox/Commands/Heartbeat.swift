import Foundation
import OutboxDaemon
import OutboxStore

/// Pings the systemd watchdog at half of WatchdogSec and refreshes STATUS= every 10 s.
struct Heartbeat: @unchecked Sendable {
    let notifier: SystemdNotifier
    let outbox: OutboxDatabase

    func start() {
        let thread = Thread {
            let interval = notifier.watchdogInterval.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 10
            var lastStatus = Date()
            while true {
                Thread.sleep(forTimeInterval: min(max(interval, 0.5), 10))
                notifier.watchdog()
                if Date().timeIntervalSince(lastStatus) >= 10 {
                    notifier.status(ServeCommand.statusLine(outbox))
                    lastStatus = Date()
                }
            }
        }
        thread.start()
    }
}
