/// Resolves an owner's effective profile field by field: the owner's own value wins,
/// then the company (global) profile's, then a default.
///
/// - The mode decides where the endpoint comes from: `system` and `reply-to` send
///   through the system relay, so host, port, TLS and credentials are the relay's
///   (origin `system`); every other mode takes them from the owner and global layers
///   only — never silently from the relay.
/// - The user name and secret travel together: the layer that sets a user name also
///   supplies the secret (or none), so an owner's user never gets the company password.
///   Without any user name, a bare secret (an API token) comes from the first layer that has one.
/// - An owner without any profile, and no global profile, uses mode `system`.
/// - From, in the own-server modes (`smtp`, `m365-oauth`, `gmail-oauth`): an owner who logs in with a user
///   name of their own that is an address, and has no From of their own, sends as that login
///   (origin `owner-login`) — Gmail and Microsoft 365 rewrite or refuse a From that is not
///   the login. `from-login` off keeps the inherited From.
public enum ProfileResolver {
    static let endpointFields: Set<String> = ["host", "port", "tls", "username", "secret", "verifyTLS", "caFile", "bindAddress"]

    public static func resolve(owner: String, own: ProfileFields?, global: ProfileFields?, system: ProfileFields) -> ResolvedProfile {
        var origins: [String: FieldOrigin] = [:]
        let profileLayers: [(ProfileFields?, FieldOrigin)] = [(own, .owner), (global, .global)]

        var mode = SenderMode.system
        origins["mode"] = .default
        for (layer, origin) in profileLayers {
            if let value = layer?.mode { mode = value; origins["mode"] = origin; break }
        }
        let viaRelay = mode == .system || mode == .replyTo
        let endpointLayers: [(ProfileFields?, FieldOrigin)] = viaRelay ? [(system, .system)] : profileLayers

        func pick<T>(_ name: String, _ field: KeyPath<ProfileFields, T?>) -> T? {
            let layers = endpointFields.contains(name) ? endpointLayers : profileLayers
            for (layer, origin) in layers {
                if let value = layer?[keyPath: field] {
                    origins[name] = origin
                    return value
                }
            }
            return nil
        }

        let host = pick("host", \.host)
        var port = pick("port", \.port)
        if port == nil, let preset = mode.oauthPreset { port = preset.port; origins["port"] = .default }
        let tls = pick("tls", \.tls) ?? {
            origins["tls"] = .default
            return port.map(TLSMode.forPort) ?? .starttls
        }()
        var username: String?
        var secret: String?
        for (layer, origin) in endpointLayers {
            if let name = layer?.username {
                username = name
                secret = layer?.secret
                origins["username"] = origin
                if secret != nil { origins["secret"] = origin }
                break
            }
        }
        // No user name anywhere: a bare secret (an HTTP API token) comes from the first layer that has one.
        if username == nil {
            for (layer, origin) in endpointLayers {
                if let value = layer?.secret { secret = value; origins["secret"] = origin; break }
            }
        }
        var fromAddress = pick("fromAddress", \.fromAddress)
        let fromLogin = pick("fromLogin", \.fromLogin) ?? true
        if mode.usesOwnSMTPServer, fromLogin, origins["username"] == .owner, own?.fromAddress == nil,
            let login = username, login.contains("@"), (try? Mailbox(address: login)) != nil
        {
            fromAddress = login
            origins["fromAddress"] = .login
        }
        let maxConnections = pick("maxConnections", \.maxConnections)
        let verifyTLS = pick("verifyTLS", \.verifyTLS) ?? { origins["verifyTLS"] = .default; return true }()
        // A provider's published limits apply where nothing is set (issue #18 part 1).
        let preset = mode.oauthPreset ?? host.flatMap(ProfilePreset.forHost)
        func limit(_ name: String, _ path: KeyPath<ProfileFields, Int?>, _ published: KeyPath<ProviderLimits, Int?>) -> Int? {
            if let value = pick(name, path) { return value }
            guard let value = preset?.limits[keyPath: published] else { return nil }
            origins[name] = .preset
            return value
        }
        var resolved = ResolvedProfile(
            owner: owner, mode: mode, host: host ?? mode.oauthPreset?.host, port: port, tls: tls,
            username: username, secret: secret,
            fromAddress: fromAddress, fromName: pick("fromName", \.fromName),
            replyTo: pick("replyTo", \.replyTo), archiveBcc: pick("archiveBcc", \.archiveBcc), verifyTLS: verifyTLS,
            caFile: pick("caFile", \.caFile), bindAddress: pick("bindAddress", \.bindAddress), url: pick("url", \.url),
            perMinute: limit("perMinute", \.perMinute, \.perMinute), perHour: limit("perHour", \.perHour, \.perHour),
            perDay: limit("perDay", \.perDay, \.perDay), origins: [:], maxConnections: maxConnections, fromLogin: fromLogin)
        resolved.recipientsPerDay = limit("recipientsPerDay", \.recipientsPerDay, \.recipientsPerDay)
        resolved.origins = origins
        return resolved
    }
}
