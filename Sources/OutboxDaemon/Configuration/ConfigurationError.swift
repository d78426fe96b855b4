/// Why a configuration could not be loaded: the file (or `environment`), the line, and the reason.
///
/// `description` reads like a compiler diagnostic: `outbox.conf:12: unknown key 'wrokers' in [delivery]`.
/// It never contains a secret value.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is, for tests and callers to match on.
    public enum Code: String, Sendable, Equatable {
        case fileNotFound, unreadable, syntax, keyOutsideSection
        case unknownSection, unknownKey, duplicateKey
        case invalidNumber, outOfRange, invalidDuration, invalidTLSMode, invalidBoolean, invalidLogLevel
        case invalidValue, missingValue, passwordInFile, invalidEnvironment
    }

    public let code: Code
    /// The configuration file's path, or `environment` for an environment variable.
    public let file: String
    /// 1-based line number, when the problem is on a line.
    public let line: Int?
    public let reason: String

    public init(_ code: Code, file: String, line: Int?, reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}
