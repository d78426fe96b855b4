/// Why a profile layer's secret (its password or OAuth token) cannot be used, so the
/// profile is held rather than sent without it. Says what failed, never the secret.
public struct UnavailableSecret: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Cause: String, Sendable, Hashable, Codable {
        /// Stored sealed in the database, and this process cannot open it (no secrets key,
        /// another key, damaged bytes): the fix is the secrets key (`outbox secrets status`).
        case sealedSecret
        /// Named by `--password-credential`, and the systemd credential cannot be read: the
        /// fix is the credential file or the unit's `LoadCredential=`.
        case credential
    }

    public let cause: Cause
    /// What failed and where, e.g. "credential 'bob-smtp': … does not exist; …".
    public let reason: String

    public init(_ cause: Cause, _ reason: String) {
        self.cause = cause
        self.reason = reason
    }

    /// The same problem, said of the layer it came from ("company profile: …").
    public func from(_ layer: String) -> UnavailableSecret { UnavailableSecret(cause, "\(layer): \(reason)") }

    /// Why a message of this profile is held: the reason, with where to look for a sealed secret.
    public var holdReason: String {
        switch cause {
        case .credential: reason
        case .sealedSecret: "secrets: \(reason) (see `outbox secrets status`)"
        }
    }

    public var description: String { reason }
}
