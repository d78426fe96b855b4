import Foundation
import Logging

/// Installs Outbox's log handler once per process: journald with structured fields when running
/// under systemd (stderr is the journal per `JOURNAL_STREAM`, or `INVOCATION_ID` is set), stderr otherwise.
public enum LoggingSetup {
    /// Where log entries go.
    public enum Backend: String, Sendable {
        case journald, stderr
    }

    private static let state = BootstrapState()

    /// Bootstraps swift-log (first call only; later calls just change the level) and returns the backend in use.
    /// `metadataProvider` adds contextual metadata (e.g. from task locals) to every entry.
    @discardableResult
    public static func bootstrap(
        level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Backend {
        state.bootstrapOnce(level: level) {
            let backend = backend(environment: environment, stderrIsJournal: SystemdNotifier.stderrIsJournal)
            let setting = LogLevelSetting(level)
            LoggingSystem.bootstrap({ label, provider in
                switch backend {
                case .journald: JournaldLogHandler(label: label, level: setting, metadataProvider: provider)
                case .stderr: StderrLogHandler(label: label, level: setting, metadataProvider: provider)
                }
            }, metadataProvider: metadataProvider)
            return (backend, setting)
        }
    }

    /// Changes the level of every logger that has not set its own (for a SIGHUP reload).
    public static func setLevel(_ level: Logger.Level) {
        state.setLevel(level)
    }

    /// The backend for an environment; pure for tests.
    public static func backend(environment: [String: String], stderrIsJournal: Bool) -> Backend {
        stderrIsJournal || !(environment["INVOCATION_ID"] ?? "").isEmpty ? .journald : .stderr
    }
}
