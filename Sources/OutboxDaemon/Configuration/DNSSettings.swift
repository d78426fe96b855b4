public import OutboxTransport

/// `[dns]`: where Outbox asks DNS (DKIM records for `outbox doctor`, DMARC and SPF records
/// for DMARC-aware routing). `resolver = ADDRESS[:PORT]` (IPv4) asks that server instead of
/// those in /etc/resolv.conf — a local caching resolver, or a stub in tests. Each server is
/// asked twice with a 2-second wait per answer.
public struct DNSSettings: Sendable, Equatable {
    public var resolver: DNSServerAddress?

    public init(resolver: DNSServerAddress? = nil) {
        self.resolver = resolver
    }

    /// A resolver (with its cache) for these settings.
    public func makeResolver() -> TXTResolver { TXTResolver(server: resolver) }

    static func resolver(_ text: String, _ parse: ConfigurationValueParser) throws(ConfigurationError) -> DNSServerAddress {
        guard let address = DNSServerAddress(try parse.token(text)) else {
            throw ConfigurationError(.invalidValue, file: parse.file, line: parse.line,
                                     reason: "\(parse.name): '\(text)' is not an IPv4 address with an optional port (e.g. 127.0.0.1:5353)")
        }
        return address
    }
}
