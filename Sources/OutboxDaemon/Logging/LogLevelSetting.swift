import Logging
import Synchronization

/// The process-wide log level every handler reads at each call, so a SIGHUP reload takes effect
/// on loggers that already exist.
final class LogLevelSetting: Sendable {
    private let level: Mutex<Logger.Level>

    init(_ level: Logger.Level) { self.level = Mutex(level) }

    var value: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}
