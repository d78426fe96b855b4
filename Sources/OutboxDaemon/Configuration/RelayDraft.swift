import OutboxCore

/// `[relay]` keys as they are read, before the port/TLS defaults and the required host are settled.
struct RelayDraft {
    var host: String?
    var port: Int?
    var tls: TLSMode?
    var username: String?
    var passwordCredential: (name: String, line: Int)?
    var verifyTLS: Bool?
    var caFile: String?
    var bindAddress: String?
    var heloName: String?
    var firstLine: Int?

    mutating func set(_ entry: ConfigurationEntry, _ parse: ConfigurationValueParser) throws(ConfigurationError) {
        firstLine = firstLine ?? entry.line
        switch entry.key {
        case "host": host = try parse.token(entry.value)
        case "port": port = try parse.integer(entry.value, in: 1...65_535)
        case "tls": tls = try parse.tlsMode(entry.value)
        case "username": username = entry.value.isEmpty ? nil : entry.value
        case "password-credential": passwordCredential = (try parse.credentialName(entry.value), entry.line)
        case "verify-tls": verifyTLS = try parse.boolean(entry.value)
        case "ca-file": caFile = try parse.path(entry.value)
        case "bind-address": bindAddress = try parse.token(entry.value)
        case "helo-name": heloName = try parse.token(entry.value)
        default: preconditionFailure("unknown [relay] key \(entry.key)")
        }
    }

    /// Nil when `[relay]` sets nothing; an error when it sets something but no host.
    func settings(file: String, sectionLine: Int?) throws(ConfigurationError) -> RelaySettings? {
        guard let firstLine else { return nil }
        guard let host else {
            throw ConfigurationError(.missingValue, file: file, line: sectionLine ?? firstLine, reason: "[relay] needs 'host'")
        }
        var relay = RelaySettings(host: host, port: port, tls: tls)
        relay.username = username
        relay.passwordCredential = passwordCredential?.name
        relay.verifyTLS = verifyTLS ?? true
        relay.caFile = caFile
        relay.bindAddress = bindAddress
        relay.heloName = heloName
        if let passwordCredential, username == nil {
            throw ConfigurationError(.missingValue, file: file, line: passwordCredential.line,
                                     reason: "[relay] password-credential is set but username is empty (an empty username means: do not authenticate)")
        }
        return relay
    }
}
