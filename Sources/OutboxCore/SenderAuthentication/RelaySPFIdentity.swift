/// Who the system relay is in SPF terms (`[dmarc] relay-spf`): the `include:` domains its
/// provider tells customers to publish (`include:_spf.relay.example`) and the addresses it
/// sends from (`ip4:192.0.2.10`, `ip6:2001:db8::/48`), separated by spaces or commas.
public struct RelaySPFIdentity: Sendable, Hashable {
    /// Include domains, lower case.
    public let includes: Set<String>
    /// Networks the relay sends from.
    public let networks: [IPNetwork]

    public init(includes: Set<String> = [], networks: [IPNetwork] = []) {
        self.includes = Set(includes.map { $0.lowercased() })
        self.networks = networks
    }

    /// Parses the setting; the error names the term that is not `include:`, `ip4:` or `ip6:`.
    public init(parsing text: String) throws(SPFTermError) {
        var includes: Set<String> = [], networks: [IPNetwork] = []
        for term in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init) {
            let lower = term.lowercased()
            if lower.hasPrefix("include:"), lower.count > 8 {
                includes.insert(String(lower.dropFirst(8)).trimmingTrailingDot)
            } else if lower.hasPrefix("ip4:"), let network = IPNetwork(String(term.dropFirst(4)), family: 4) {
                networks.append(network)
            } else if lower.hasPrefix("ip6:"), let network = IPNetwork(String(term.dropFirst(4)), family: 6) {
                networks.append(network)
            } else {
                throw SPFTermError(term: term)
            }
        }
        self.init(includes: includes, networks: networks)
    }

    /// Whether nothing is known about the relay (then no SPF record can be said to cover it).
    public var isEmpty: Bool { includes.isEmpty && networks.isEmpty }

    /// As written in the configuration.
    public var text: String {
        (includes.sorted().map { "include:\($0)" } + networks.map { "\($0.octets.count == 4 ? "ip4" : "ip6"):\($0)" }).joined(separator: " ")
    }
}

/// A `relay-spf` term that is not `include:DOMAIN`, `ip4:NETWORK` or `ip6:NETWORK`.
public struct SPFTermError: Error, Sendable, Hashable, CustomStringConvertible {
    public let term: String
    public var description: String { "'\(term)' is not include:DOMAIN, ip4:ADDRESS[/PREFIX] or ip6:ADDRESS[/PREFIX]" }
}
