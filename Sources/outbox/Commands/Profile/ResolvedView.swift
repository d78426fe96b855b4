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
    /// Why the From is what it is, when that needs saying (the owner's login, or a login that differs from it).
    let fromNote: String?

    init(_ p: ResolvedProfile) {
        owner = p.owner
        let values: [(String, String, String?)] = [
            ("mode", "mode", p.mode.rawValue), ("host", "host", p.host), ("port", "port", p.port.map(String.init)),
            ("tls", "tls", p.tls.word), ("user", "username", p.username),
            ("password", "secret", p.secret == nil ? nil : "********"), ("from", "fromAddress", p.fromAddress),
            ("from-name", "fromName", p.fromName), ("reply-to", "replyTo", p.replyTo), ("archive-bcc", "archiveBcc", p.archiveBcc),
            ("verify-tls", "verifyTLS", String(p.verifyTLS)), ("ca-file", "caFile", p.caFile), ("bind-address", "bindAddress", p.bindAddress),
            ("url", "url", p.url), ("per-minute", "perMinute", p.perMinute.map(String.init)),
            ("per-hour", "perHour", p.perHour.map(String.init)), ("per-day", "perDay", p.perDay.map(String.init)),
            ("recipients-per-day", "recipientsPerDay", p.recipientsPerDay.map(String.init)),
            ("max-connections", "maxConnections", p.maxConnections.map(String.init)),
            ("from-login", "fromLogin", p.fromLogin ? "on" : "off"),
        ]
        fields = values.map { Field(name: $0.0, value: $0.2, origin: p.origins[$0.1]?.rawValue ?? ($0.1 == "fromLogin" ? "default" : nil)) }
        fromNote = Self.fromNote(p)
    }

    private static func fromNote(_ p: ResolvedProfile) -> String? {
        if p.origins["fromAddress"] == .login {
            return "From is the owner's login \(p.fromAddress ?? ""): the owner logs in as themselves and has no --from of "
                + "their own (providers such as Gmail and Microsoft 365 rewrite or refuse another From). "
                + "Set --from to choose another, or --no-from-login to keep the inherited From."
        }
        guard p.mode.usesOwnSMTPServer, let login = p.username, login.contains("@"), let from = p.fromAddress,
            from.lowercased() != login.lowercased()
        else { return nil }
        return "From \(from) is not the login \(login): some providers (Gmail, Microsoft 365) rewrite or refuse that "
            + "unless the login may send as \(from)."
    }

    var rows: [(String, String, String)] {
        fields.map { ($0.name, $0.value ?? "-", $0.origin ?? "") }
    }
}
