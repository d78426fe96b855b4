import Foundation
import Logging

/// Remembers whether swift-log was bootstrapped (it may be only once per process) and the shared level.
final class BootstrapState: @unchecked Sendable {
    private let lock = NSLock()
    private var installed: (backend: LoggingSetup.Backend, level: LogLevelSetting)?

    func bootstrapOnce(level: Logger.Level, install: () -> (LoggingSetup.Backend, LogLevelSetting)) -> LoggingSetup.Backend {
        lock.withLock {
            if let installed {
                installed.level.value = level
                return installed.backend
            }
            let made = install()
            installed = made
            return made.0
        }
    }

    func setLevel(_ level: Logger.Level) {
        lock.withLock { installed?.level.value = level }
    }
}
