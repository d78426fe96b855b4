import Crypto
import _CryptoExtras

/// A DKIM private key (swift-crypto: BoringSSL's RSA and Ed25519). Never printed: its
/// description names only the algorithm, and a mirror shows nothing.
public struct DKIMPrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The size of generated RSA keys.
    public static let rsaBits = 2048

    public let algorithm: DKIMAlgorithm
    private let backing: Backing

    /// Unchecked: swift-crypto 3 does not mark Curve25519's key `Sendable`, but it is an
    /// immutable value (copy-on-write bytes), safe to share as the RSA key is.
    private enum Backing: @unchecked Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    /// A new random key: RSA 2048 bits or Ed25519.
    public static func generate(_ algorithm: DKIMAlgorithm) throws(DKIMError) -> DKIMPrivateKey {
        switch algorithm {
        case .rsaSHA256:
            do { return DKIMPrivateKey(algorithm: algorithm, backing: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))) } catch {
                throw DKIMError(.keyGenerationFailed, "generating an RSA key failed: \(error)")
            }
        case .ed25519SHA256:
            return DKIMPrivateKey(algorithm: algorithm, backing: .ed25519(Curve25519.Signing.PrivateKey()))
        }
    }

    /// Reads a key stored with ``storedBytes``: RSA as DER (PKCS #1 or #8, at least 2048
    /// bits), Ed25519 as its 32-byte seed.
    public init(algorithm: DKIMAlgorithm, storedBytes: [UInt8]) throws(DKIMError) {
        self.algorithm = algorithm
        switch algorithm {
        case .rsaSHA256:
            do { backing = .rsa(try _RSA.Signing.PrivateKey(derRepresentation: storedBytes)) } catch {
                throw DKIMError(.unreadableKey, "the stored RSA key is unreadable or shorter than 2048 bits")
            }
        case .ed25519SHA256:
            do { backing = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: storedBytes)) } catch {
                throw DKIMError(.unreadableKey, "the stored Ed25519 key is unreadable (expected 32 bytes)")
            }
        }
    }

    private init(algorithm: DKIMAlgorithm, backing: Backing) {
        self.algorithm = algorithm
        self.backing = backing
    }

    /// The bytes to store (secret): RSA as DER, Ed25519 as the 32-byte seed.
    public var storedBytes: [UInt8] {
        switch backing {
        case .rsa(let key): Array(key.derRepresentation)
        case .ed25519(let key): Array(key.rawRepresentation)
        }
    }

    /// The public key as the `p=` tag of the DNS record writes it (base64): RSA as
    /// SubjectPublicKeyInfo DER, Ed25519 as the raw 32 bytes (RFC 8463 §4.2).
    public var publicKeyBase64: String {
        let bytes: [UInt8]
        switch backing {
        case .rsa(let key): bytes = Array(key.publicKey.derRepresentation)
        case .ed25519(let key): bytes = Array(key.publicKey.rawRepresentation)
        }
        return String(decoding: Base64Encoder.encode(bytes), as: UTF8.self)
    }

    /// The signature over `signedData` (the canonical headers and signature field): its
    /// SHA-256 signed with RSASSA-PKCS1-v1_5 for RSA, with PureEdDSA over the 32 digest
    /// bytes for Ed25519 (RFC 8463 §3).
    func sign(_ signedData: [UInt8]) throws(DKIMError) -> [UInt8] {
        let digest = Crypto.SHA256.hash(data: signedData)
        do {
            switch backing {
            case .rsa(let key): return Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .ed25519(let key): return Array(try key.signature(for: Array(digest)))
            }
        } catch {
            throw DKIMError(.signingFailed, "\(algorithm.rawValue) signing failed: \(error)")
        }
    }

    public var description: String { "DKIMPrivateKey(\(algorithm.rawValue))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
