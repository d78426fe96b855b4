import Foundation

/// Where the private secrets key is read from, in this order: the systemd credential
/// `secrets-key` (`LoadCredential=`/`LoadCredentialEncrypted=`, as
/// `$CREDENTIALS_DIRECTORY/secrets-key`), the file named by `$OUTBOX_SECRETS_KEY_FILE`,
/// else `secrets.key` beside the database (created there, mode 0600, when none exists yet).
public struct SecretKeySource: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A systemd credential: read-only for the service.
        case credential
        /// A key file Outbox may create and, on rotation, replace.
        case file
    }

    public let kind: Kind
    public let path: String

    public static let credentialName = "secrets-key"
    public static let environmentVariable = "OUTBOX_SECRETS_KEY_FILE"
    public static let defaultFileName = "secrets.key"

    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }

    /// The key file at `path`.
    public static func file(_ path: String) -> SecretKeySource { SecretKeySource(kind: .file, path: path) }

    /// The source for the database at `databasePath`, following the order above.
    public static func resolve(databasePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> SecretKeySource {
        if let configured = configured(environment) { return configured }
        let directory = (databasePath as NSString).deletingLastPathComponent
        return .file(((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(defaultFileName))
    }

    /// The source for a database shared by several hosts (PostgreSQL), which has no
    /// directory of its own: the credential, else `$OUTBOX_SECRETS_KEY_FILE`, else
    /// ``sharedStoreDefaultPath`` (the service's state directory). Every node needs the same key.
    public static func resolve(sharedStoreEnvironment environment: [String: String] = ProcessInfo.processInfo.environment) -> SecretKeySource {
        configured(environment) ?? .file(sharedStoreDefaultPath)
    }

    /// Where a node of a shared store looks for its key file by default.
    public static let sharedStoreDefaultPath = "/var/lib/outbox/" + defaultFileName

    /// The credential when there is one, else the file named by the environment variable.
    private static func configured(_ environment: [String: String]) -> SecretKeySource? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = (directory as NSString).appendingPathComponent(credentialName)
            if FileManager.default.fileExists(atPath: path) { return SecretKeySource(kind: .credential, path: path) }
        }
        if let file = environment[environmentVariable], !file.isEmpty { return .file(file) }
        return nil
    }

    public var description: String {
        kind == .credential ? "systemd credential \(Self.credentialName) (\(path))" : "key file \(path)"
    }

    /// The key, or nil when there is no file at the path.
    func read() throws(SecretError) -> SecretKey? {
        return try Self.read(path: path, origin: description)
    }

    static func read(path: String, origin: String) throws(SecretError) -> SecretKey? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw SecretError(.keyUnreadable, "\(origin) cannot be read by this user (uid \(geteuid())): only the service's user should read it")
            }
            return nil
        }
        return try SecretKey(text: String(decoding: data, as: UTF8.self), origin: origin)
    }

    /// Writes `key` to a new file at `path`, mode 0600, synced; fails if the file exists.
    package static func write(_ key: SecretKey, to path: String) throws(SecretError) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SecretError(.keyNotWritten, "cannot create key file \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(key.text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(path)
            throw SecretError(.keyNotWritten, "cannot write key file \(path): \(String(cString: strerror(errno)))")
        }
        syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Makes a rename or a new file in `directory` durable.
    package static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
