import Foundation
import Logging

/// One line per entry on stderr: `2026-05-04T09:30:00.123Z info message key=value …`
/// (UTC, metadata sorted by key, values with spaces or quotes quoted, secrets redacted).
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let shared: LogLevelSetting
    private var ownLevel: Logger.Level?

    init(label _: String, level: LogLevelSetting, metadataProvider: Logger.MetadataProvider? = nil) {
        self.shared = level
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { ownLevel ?? shared.value }
        set { ownLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadataMerge.merge(handler: metadata, provider: metadataProvider, call: event.metadata)
        let line = Self.format(date: Date(), level: event.level, message: "\(event.message)", metadata: merged) + "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// The line without its newline; pure for tests.
    public static func format(date: Date, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var parts = [timestamp(date), level.rawValue, message.replacingOccurrences(of: "\n", with: "\\n")]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            parts.append("\(key)=\(quoted(LogRedaction.render(key: key, value: value)))")
        }
        return parts.joined(separator: " ")
    }

    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fraction = Int((milliseconds % 1000 + 1000) % 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }

    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "\"" + escaped + "\""
    }
}
