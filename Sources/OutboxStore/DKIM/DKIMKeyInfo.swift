public import OutboxCore

/// A stored DKIM key without its private part: what `outbox dkim list|show` prints.
public struct DKIMKeyInfo: Sendable, Hashable {
    public let domain: String
    public let selector: String
    public let algorithm: DKIMAlgorithm
    /// The `p=` value of the DNS record (base64).
    public let publicKey: String
    /// Unix milliseconds.
    public let createdAt: Int64
    /// Whether mail from the domain is signed with it: the oldest key of each algorithm
    /// signs; a newer one stands by until the older is deleted (key rotation).
    public let isSigning: Bool

    /// The TXT record that publishes the key.
    public var dnsRecord: DKIMDNSRecord {
        DKIMDNSRecord(domain: domain, selector: selector, algorithm: algorithm, publicKey: publicKey)
    }
}
