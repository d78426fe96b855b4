import Logging

/// Builds a journald entry as `NAME=value` fields: `PRIORITY`, `MESSAGE`, `SYSLOG_IDENTIFIER=outbox`,
/// the source location, and every metadata item as an upper-case field (`message-id` → `OUTBOX_MESSAGE_ID`,
/// `smtp-code` → `SMTP_CODE`). Pure, so it is testable without a journal.
public enum JournalFields {
    public static let identifier = "outbox"

    public static func fields(
        level: Logger.Level, message: String, metadata: Logger.Metadata,
        source: String = "", file: String = "", function: String = "", line: UInt = 0
    ) -> [String] {
        var fields = ["PRIORITY=\(priority(level))", "MESSAGE=\(message)", "SYSLOG_IDENTIFIER=\(identifier)"]
        if !file.isEmpty { fields += ["CODE_FILE=\(file)", "CODE_LINE=\(line)", "CODE_FUNC=\(function)"] }
        if !source.isEmpty { fields.append("OUTBOX_SOURCE=\(source)") }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            fields.append("\(fieldName(key))=\(LogRedaction.render(key: key, value: value))")
        }
        return fields
    }

    /// syslog priority: critical 2, error 3, warning 4, notice 5, info 6, debug and trace 7.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    /// `[A-Z0-9_]`, starting with a letter, at most 64 characters; `OUTBOX_` unless the key is an `SMTP_` one.
    public static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        if !name.hasPrefix("SMTP_") { name = "OUTBOX_" + name }
        return String(name.prefix(64))
    }
}
