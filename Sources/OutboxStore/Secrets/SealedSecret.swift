import Crypto
import Foundation

/// What a sealed value belongs to. It is authenticated with the value, so a sealed
/// password copied to another owner's row or into another field does not open.
public struct SecretContext: Sendable, Hashable {
    public enum Field: String, Sendable, CaseIterable {
        case password, oauthRefreshToken = "oauth-refresh-token", oauthAccessToken = "oauth-access-token"
        /// A DKIM private key (owner: its DNS name, `SELECTOR._domainkey.DOMAIN`).
        case dkimPrivateKey = "dkim-private-key"
        /// A webhook endpoint's signing secret (owner: `webhook-ID`).
        case webhookSecret = "webhook-secret"
    }

    public let owner: String
    public let field: Field

    public init(owner: String, field: Field) {
        self.owner = owner
        self.field = field
    }

    var authenticatedData: Data { Data("outbox-secret\u{0}\(field.rawValue)\u{0}\(owner)".utf8) }
}

/// A secret sealed to the secrets public key with HPKE (RFC 9180, base mode:
/// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305), as stored in a BLOB column:
/// `0x01 | key id (8 bytes) | encapsulated key (32 bytes) | ciphertext and tag`.
/// Sealing needs only the public key; opening needs the private key.
package enum SealedSecret {
    package static func seal(_ secret: String, to publicKey: SecretPublicKey, context: SecretContext) throws(SecretError) -> Data {
        let header = Data([version] + publicKey.idBytes)
        do {
            var sender = try HPKE.Sender(recipientKey: publicKey.key, ciphersuite: suite, info: info)
            let ciphertext = try sender.seal(Data(secret.utf8), authenticating: header + context.authenticatedData)
            return header + sender.encapsulatedKey + ciphertext
        } catch {
            throw SecretError(.keyNotWritten, "sealing the \(context.field.rawValue) of owner \(context.owner) failed: \(error)")
        }
    }

    package static func open(_ sealed: Data, with key: SecretKey, context: SecretContext) throws(SecretError) -> String {
        let bytes = [UInt8](sealed)
        let what = "the \(context.field.rawValue) of owner \(context.owner)"
        guard bytes.count >= headerLength + encapsulatedKeyLength + tagLength, bytes[0] == version else {
            throw SecretError(.damaged, "\(what) is not a sealed secret Outbox can read (damaged or from a newer version)")
        }
        let sealedFor = keyID(bytes)
        guard sealedFor == key.id else {
            throw SecretError(.wrongKey, "\(what) is sealed for secrets key \(sealedFor), but this process has key \(key.id)")
        }
        let header = Data(bytes[0..<headerLength])
        let encapsulated = Data(bytes[headerLength..<(headerLength + encapsulatedKeyLength)])
        let ciphertext = Data(bytes[(headerLength + encapsulatedKeyLength)...])
        do {
            var recipient = try HPKE.Recipient(privateKey: key.key, ciphersuite: suite, info: info, encapsulatedKey: encapsulated)
            let plain = try recipient.open(ciphertext, authenticating: header + context.authenticatedData)
            guard let text = String(data: plain, encoding: .utf8) else { throw SecretError(.damaged, "") }
            return text
        } catch {
            throw SecretError(.damaged, "\(what) does not open with secrets key \(key.id): damaged, or copied from another owner or field")
        }
    }

    /// The id of the key a value was sealed for (hex), or nil when it is too short to say.
    package static func keyID(_ sealed: Data) -> String? {
        let bytes = [UInt8](sealed)
        return bytes.count >= headerLength ? keyID(bytes) : nil
    }

    private static func keyID(_ bytes: [UInt8]) -> String { bytes[1..<headerLength].map { String(format: "%02x", $0) }.joined() }

    private static let version: UInt8 = 1
    private static let headerLength = 9
    private static let encapsulatedKeyLength = 32
    private static let tagLength = 16
    private static var suite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }
    private static let info = Data("outbox sealed secret v1".utf8)
}
