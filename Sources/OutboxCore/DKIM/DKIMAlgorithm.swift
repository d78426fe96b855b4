/// A DKIM signing algorithm: RSA with SHA-256 (RFC 6376, 2048-bit keys) or Ed25519 with
/// SHA-256 (RFC 8463).
public enum DKIMAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case rsaSHA256 = "rsa-sha256"
    case ed25519SHA256 = "ed25519-sha256"

    /// The key type word of the `k=` tag and of `--algorithm`: `rsa` or `ed25519`.
    public var keyType: String {
        switch self {
        case .rsaSHA256: "rsa"
        case .ed25519SHA256: "ed25519"
        }
    }

    /// The algorithm whose key type is `word` (`rsa` or `ed25519`, also the full `a=` names).
    public init(keyType word: String) throws(DKIMError) {
        switch word.lowercased() {
        case "rsa", "rsa-sha256": self = .rsaSHA256
        case "ed25519", "ed25519-sha256": self = .ed25519SHA256
        default: throw DKIMError(.unknownAlgorithm, "unknown DKIM algorithm '\(word)': use rsa or ed25519")
        }
    }
}
