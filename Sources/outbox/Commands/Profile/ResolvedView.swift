import OutboxCore

/// A resolved profile for display: value and origin per field, the secret masked.
struct ResolvedView: Encodable {
    struct Field: Encodable {
        let name: String
        let value: String?
        let origin: String?
    }

    let owner: String
    let fields: [Field]

    init(_ p: ResolvedProfile) {
        owner = p.owner
        let values: [(String, String, String?)] = [
            ("mode", "mode", p.mode.rawValue), ("host", "host", p.host), ("port", "port", p.port.map(String.init)),
            ("tls", "tls", p.tls.rawValue), ("user", "username", p.username),
            ("password", "secret", p.secret == nil ? nil : "********"), ("from", "fromAddress", p.fromAddress),
            ("from-name", "fromName", p.fromName), ("reply-to", "replyTo", p.replyTo), ("archive-bcc", "archiveBcc", p.archiveBcc),
            ("verify-tls", "verifyTLS", String(p.verifyTLS)), ("ca-file", "caFile", p.caFile), ("bind-address", "bindAddress", p.bindAddress),
            ("url", "url", p.url), ("per-minute", "perMinute", p.perMinute.map(String.init)),
            ("per-hour", "perHour", p.perHour.map(String.init)), ("per-day", "perDay", p.perDay.map(String.init)),
            ("max-connections", "maxConnections", p.maxConnections.map(String.init)),
        ]
        fields = values.map { Field(name: $0.0, value: $0.2, origin: p.origins[$0.1]?.rawValue) }
    }

    var rows: [(String, String, String)] {
        fields.map { ($0.name, $0.value ?? "-", $0.origin ?? "") }
    }
}
