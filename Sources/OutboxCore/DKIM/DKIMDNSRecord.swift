/// The DNS TXT record that publishes a DKIM public key: `SELECTOR._domainkey.DOMAIN`
/// with `v=DKIM1; k=rsa|ed25519; p=BASE64`.
public struct DKIMDNSRecord: Sendable, Hashable {
    public let domain: String
    public let selector: String
    public let algorithm: DKIMAlgorithm
    /// The `p=` value (base64).
    public let publicKey: String

    public init(domain: String, selector: String, algorithm: DKIMAlgorithm, publicKey: String) {
        self.domain = domain
        self.selector = selector
        self.algorithm = algorithm
        self.publicKey = publicKey
    }

    /// The owner name of the record, e.g. `s2026._domainkey.example.com`.
    public var name: String { "\(selector)._domainkey.\(domain)" }

    /// The record's text as one string.
    public var text: String { "v=DKIM1; k=\(algorithm.keyType); p=\(publicKey)" }

    /// The text split into character-strings of at most 255 octets (RFC 1035 §3.3.14), as a
    /// TXT record must carry a longer text; verifiers join them without separators.
    public var strings: [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            parts.append(String(rest.prefix(Self.stringLimit)))
            rest = rest.dropFirst(Self.stringLimit)
        }
        return parts
    }

    /// The zone-file line to publish: `NAME IN TXT "…" "…"`.
    public var zoneLine: String {
        "\(name) IN TXT " + strings.map { "\"\($0)\"" }.joined(separator: " ")
    }

    static let stringLimit = 255
}
