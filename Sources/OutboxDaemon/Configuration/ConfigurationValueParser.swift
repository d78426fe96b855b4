import Foundation
import Logging
import OutboxCore

/// Turns one text value into a typed one, or a ``ConfigurationError`` at `file:line`.
/// `name` is how the value is called in messages (`[delivery] workers`, `OUTBOX_WORKERS`).
struct ConfigurationValueParser {
    var file: String
    var line: Int?
    var name: String

    func integer(_ text: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = Int(text) else {
            throw ConfigurationError(.invalidNumber, file: file, line: line, reason: "\(name): '\(text)' is not a whole number")
        }
        guard range.contains(value) else {
            throw ConfigurationError(.outOfRange, file: file, line: line,
                                     reason: "\(name): \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func fraction(_ text: String) throws(ConfigurationError) -> Double {
        guard let value = Double(text), value.isFinite else {
            throw ConfigurationError(.invalidNumber, file: file, line: line, reason: "\(name): '\(text)' is not a number")
        }
        guard (0...1).contains(value) else {
            throw ConfigurationError(.outOfRange, file: file, line: line, reason: "\(name): \(text) is out of range 0...1")
        }
        return value
    }

    func duration(_ text: String) throws(ConfigurationError) -> Duration {
        guard let milliseconds = DurationText.milliseconds(text) else {
            throw ConfigurationError(.invalidDuration, file: file, line: line,
                                     reason: "\(name): '\(text)' is not a duration (use e.g. 90s, 5m, 4h, 5d, 2w)")
        }
        guard milliseconds > 0 else {
            throw ConfigurationError(.outOfRange, file: file, line: line, reason: "\(name): must be longer than 0")
        }
        return .milliseconds(milliseconds)
    }

    func boolean(_ text: String) throws(ConfigurationError) -> Bool {
        switch text.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default:
            throw ConfigurationError(.invalidBoolean, file: file, line: line, reason: "\(name): '\(text)' is not yes or no")
        }
    }

    /// The CLI's words (`ssl` implicit TLS, `starttls`/`startssl`, `none`), except a bare
    /// `tls`: guides use it for STARTTLS while older files meant implicit TLS, so the file
    /// must say which.
    func tlsMode(_ text: String) throws(ConfigurationError) -> TLSMode {
        if text.lowercased() == "tls" {
            throw ConfigurationError(.invalidTLSMode, file: file, line: line,
                                     reason: "\(name): 'tls' is ambiguous; write ssl (implicit TLS, port 465) or starttls (port 587)")
        }
        guard let mode = TLSMode(word: text) else {
            throw ConfigurationError(.invalidTLSMode, file: file, line: line,
                                     reason: "\(name): '\(text)' is not a TLS mode (none, starttls or ssl)")
        }
        return mode
    }

    func logLevel(_ text: String) throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError(.invalidLogLevel, file: file, line: line,
                                     reason: "\(name): '\(text)' is not a log level (trace, debug, info, notice, warning, error, critical)")
        }
        return level
    }

    /// A non-empty value without spaces or control characters (host names, addresses, domains).
    func token(_ text: String) throws(ConfigurationError) -> String {
        guard !text.isEmpty else {
            throw ConfigurationError(.missingValue, file: file, line: line, reason: "\(name): empty value")
        }
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
            throw ConfigurationError(.invalidValue, file: file, line: line, reason: "\(name): '\(text)' must not contain spaces or control characters")
        }
        return text
    }

    /// A non-empty file path; spaces allowed, control characters not.
    func path(_ text: String) throws(ConfigurationError) -> String {
        guard !text.isEmpty else {
            throw ConfigurationError(.missingValue, file: file, line: line, reason: "\(name): empty value")
        }
        guard !text.contains(where: { $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
            throw ConfigurationError(.invalidValue, file: file, line: line, reason: "\(name): control characters are not allowed in a path")
        }
        return text
    }

    /// A comma-separated list of absolute paths (empty: none).
    func absolutePaths(_ text: String) throws(ConfigurationError) -> [String] {
        var paths: [String] = []
        for item in text.split(separator: ",") {
            let path = try self.path(item.trimmingCharacters(in: .whitespaces))
            guard path.hasPrefix("/") else {
                throw ConfigurationError(.invalidValue, file: file, line: line, reason: "\(name): '\(path)' is not an absolute path")
            }
            paths.append(path)
        }
        return paths
    }

    /// A credential's file name in `$CREDENTIALS_DIRECTORY`.
    func credentialName(_ text: String) throws(ConfigurationError) -> String {
        guard Credentials.isValidName(text) else {
            throw ConfigurationError(.invalidValue, file: file, line: line,
                                     reason: "\(name): '\(text)' is not a credential name (a file name such as relay-password, without '/')")
        }
        return text
    }
}
