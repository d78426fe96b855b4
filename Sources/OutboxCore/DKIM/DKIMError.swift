/// Why a DKIM key could not be made, read or used, or a message not signed.
public struct DKIMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes tests and callers can match.
    public enum Code: String, Sendable {
        /// The stored key bytes are not a key of the stated algorithm (or are too weak).
        case unreadableKey
        /// The key could not be generated.
        case keyGenerationFailed
        /// The signing operation itself failed.
        case signingFailed
        /// The message has no From field (DKIM must sign it).
        case noFromField
        /// An algorithm name that is neither `rsa` nor `ed25519`.
        case unknownAlgorithm
        /// A domain or selector that cannot appear in a DKIM signature or DNS name.
        case invalidName
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
