/// Why a secret could not be sealed or opened, or a key not loaded. Never contains a
/// secret or key material: only key ids (fingerprints), paths and owners.
public struct SecretError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No private key where it is looked for (credential, key file).
        case keyMissing
        /// The key file or credential exists but cannot be read.
        case keyUnreadable
        /// The key file or credential is not an Outbox secrets key.
        case keyMalformed
        /// The secret was sealed for another key than the one this process has.
        case wrongKey
        /// The sealed bytes fail authentication: damaged, or moved to another owner or field.
        case damaged
        /// Nothing to seal with: the database has no public key and this process may not create one.
        case noPublicKey
        /// The key (or the new key of a rotation) could not be written.
        case keyNotWritten
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
