/// Why a systemd credential could not be read. Never contains the credential's content.
public struct CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case invalidName, noCredentialsDirectory, notFound, unreadable, empty
    }

    public let code: Code
    /// The credential's name (not a secret).
    public let name: String
    public let reason: String

    init(_ code: Code, name: String, reason: String) {
        self.code = code
        self.name = name
        self.reason = reason
    }

    public var description: String { "credential '\(name)': \(reason)" }
}
