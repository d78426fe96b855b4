import Crypto
import Foundation

/// The public half of the secrets key: anyone who may write profiles seals with it
/// (it is stored in the database); only the private half opens. X25519, for HPKE.
public struct SecretPublicKey: Sendable, Hashable {
    /// The raw X25519 public key (32 bytes), checked when made.
    let raw: Data

    init(_ key: Curve25519.KeyAgreement.PublicKey) { raw = key.rawRepresentation }

    // Valid by construction: `raw` came from a key or was checked in `init(text:)`.
    var key: Curve25519.KeyAgreement.PublicKey { try! Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw) }

    /// The key's fingerprint: the first 8 bytes of SHA-256 of the raw key, in hex. Not secret.
    public var id: String { Self.id(of: raw) }

    /// The fingerprint as the 8 bytes stored in front of every sealed value.
    var idBytes: [UInt8] { Array(SHA256.hash(data: raw).prefix(8)) }

    /// `outbox-public-key-v1:<base64>`, as stored in the database.
    public var text: String { Self.prefix + raw.base64EncodedString() }

    public init(text: String) throws(SecretError) {
        guard text.hasPrefix(Self.prefix), let raw = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
            (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)) != nil
        else { throw SecretError(.keyMalformed, "the database's secrets public key is not an Outbox public key") }
        self.raw = raw
    }

    static func id(of raw: Data) -> String {
        SHA256.hash(data: raw).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    private static let prefix = "outbox-public-key-v1:"
}

/// The private secrets key, as kept in a key file or systemd credential: one line,
/// `outbox-secrets-key-v1:<base64 of the X25519 private key>`. Never printed.
public struct SecretKey: Sendable, CustomStringConvertible {
    /// The raw X25519 private key (32 bytes), checked when made.
    private let raw: Data

    /// A new random key.
    public static func generate() -> SecretKey { SecretKey(key: Curve25519.KeyAgreement.PrivateKey()) }

    private init(key: Curve25519.KeyAgreement.PrivateKey) { raw = key.rawRepresentation }

    // Valid by construction: `raw` came from a key or was checked in `init(text:origin:)`.
    var key: Curve25519.KeyAgreement.PrivateKey { try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) }

    /// Parses a key file's content (surrounding white space is ignored). `origin` names the file in errors.
    public init(text: String, origin: String) throws(SecretError) {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix(Self.prefix), let raw = Data(base64Encoded: String(line.dropFirst(Self.prefix.count))),
            let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        else { throw SecretError(.keyMalformed, "\(origin) is not an Outbox secrets key (one line: \(Self.prefix)…)") }
        self.raw = key.rawRepresentation
    }

    public var publicKey: SecretPublicKey { SecretPublicKey(key.publicKey) }

    /// The fingerprint of the public half.
    public var id: String { publicKey.id }

    /// The key file's content, with a final newline.
    var text: String { Self.prefix + raw.base64EncodedString() + "\n" }

    public var description: String { "SecretKey(id: \(id))" }

    private static let prefix = "outbox-secrets-key-v1:"
}
