import OutboxCore

/// `OUTBOX_DB`, `OUTBOX_LOG_LEVEL`, `OUTBOX_WORKERS` and `OUTBOX_RELAY` over the file's values.
enum EnvironmentOverrides {
    static func apply(_ environment: [String: String], to configuration: inout OutboxConfiguration) throws(ConfigurationError) {
        func parser(_ name: String) -> ConfigurationValueParser { ConfigurationValueParser(file: "environment", line: nil, name: name) }
        if let path = environment["OUTBOX_DB"], !path.isEmpty { configuration.databasePath = path }
        if let level = environment["OUTBOX_LOG_LEVEL"], !level.isEmpty {
            configuration.logLevel = try parser("OUTBOX_LOG_LEVEL").logLevel(level)
        }
        if let workers = environment["OUTBOX_WORKERS"], !workers.isEmpty {
            configuration.delivery.workers = try parser("OUTBOX_WORKERS").integer(workers, in: 1...1024)
        }
        if let relay = environment["OUTBOX_RELAY"], !relay.isEmpty {
            let endpoint = try relayEndpoint(relay)
            var settings = configuration.relay ?? RelaySettings(host: endpoint.host)
            settings.host = endpoint.host
            settings.tls = endpoint.tls
            settings.port = endpoint.port ?? RelaySettings.defaultPort(for: endpoint.tls)
            configuration.relay = settings
        }
    }

    /// `smtp://host[:port]` (STARTTLS), `smtps://host[:port]` (implicit TLS), `?tls=none` for clear text;
    /// IPv6 hosts in brackets.
    static func relayEndpoint(_ text: String) throws(ConfigurationError) -> (host: String, port: Int?, tls: TLSMode) {
        let invalid = ConfigurationError(.invalidEnvironment, file: "environment", line: nil,
                                         reason: "OUTBOX_RELAY: '\(text)' is not smtp://host[:port] or smtps://host[:port] (add ?tls=none for clear text)")
        guard !text.contains("@") else {
            throw ConfigurationError(.invalidEnvironment, file: "environment", line: nil, reason:
                "OUTBOX_RELAY must not carry a user or password; set [relay] username and password-credential instead")
        }
        var rest = Substring(text)
        var tls: TLSMode
        if rest.lowercased().hasPrefix("smtps://") { tls = .tls; rest = rest.dropFirst(8) }
        else if rest.lowercased().hasPrefix("smtp://") { tls = .starttls; rest = rest.dropFirst(7) }
        else { throw invalid }
        if let query = rest.firstIndex(of: "?") {
            guard rest[query...] == "?tls=none", tls == .starttls else { throw invalid }
            tls = .none
            rest = rest[..<query]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/") else { throw invalid }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else { throw invalid }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]) else { throw invalid }
            port = value
        }
        guard !host.isEmpty, port.map({ (1...65_535).contains($0) }) ?? true else { throw invalid }
        return (String(host), port, tls)
    }
}
