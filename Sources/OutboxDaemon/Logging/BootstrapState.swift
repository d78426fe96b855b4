import Logging
import Synchronization

/// Remembers whether swift-log was bootstrapped (it may be only once per process) and the shared level.
final class BootstrapState: Sendable {
    private let installed = Mutex<(backend: LoggingSetup.Backend, level: LogLevelSetting)?>(nil)

    func bootstrapOnce(level: Logger.Level, install: () -> (LoggingSetup.Backend, LogLevelSetting)) -> LoggingSetup.Backend {
        installed.withLock { installed in
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
        installed.withLock { $0?.level.value = level }
    }
}
