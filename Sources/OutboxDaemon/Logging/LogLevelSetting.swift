import Foundation
import Logging

/// The process-wide log level every handler reads at each call, so a SIGHUP reload takes effect
/// on loggers that already exist.
final class LogLevelSetting: @unchecked Sendable {
    private let lock = NSLock()
    private var level: Logger.Level

    init(_ level: Logger.Level) { self.level = level }

    var value: Logger.Level {
        get { lock.withLock { level } }
        set { lock.withLock { level = newValue } }
    }
}
