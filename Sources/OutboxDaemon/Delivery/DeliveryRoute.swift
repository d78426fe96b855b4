import Foundation
public import OutboxCore
public import OutboxTransport

/// How a resolved profile's mail leaves, chosen by the sender mode.
///
/// ``plan(_:configuration:)`` is the one route builder: delivery and `outbox profile test`
/// both use it, so a test tries exactly what delivery does (endpoint, EHLO name, login,
/// sender identity). Planning is pure; the one step that may go to the network — a
/// Microsoft 365 access token, refreshed when due — is ``SMTPRoute/authorise(tokens:now:)``.
public enum DeliveryRoute: Sendable {
    /// SMTP (modes smtp, system, reply-to, m365-oauth): a server and a login to authorise.
    case smtp(SMTPRoute)
    /// Write into the Maildir at this path.
    case maildir(String)
    /// POST to an HTTP mail service.
    case http(HTTPMailEndpoint)
    /// The profile cannot work as configured: hold it. The reason says what to set.
    case misconfigured(String)

    public static func plan(_ profile: ResolvedProfile, configuration: DeliveryConfiguration) -> DeliveryRoute {
        if case .failure(let problem) = configuration.senderPolicy.identity(for: profile, token: "route") {
            return .misconfigured(problem.reason)
        }
        let owner = profile.owner
        switch profile.mode {
        case .http:
            guard let endpoint = HTTPRoute.endpoint(for: profile, configuration: configuration) else {
                return .misconfigured("profile of owner \(owner) uses mode http but has no URL: outbox profile set \(owner) --url URL")
            }
            return .http(endpoint)
        case .maildir:
            guard let url = profile.url, !url.isEmpty else {
                return .misconfigured("profile of owner \(owner) uses mode maildir but has no directory: outbox profile set \(owner) --url DIR")
            }
            return .maildir(url.hasPrefix("file://") ? URL(string: url)?.path ?? String(url.dropFirst(7)) : url)
        case .smtp, .system, .replyTo, .m365OAuth, .gmailOAuth:
            guard let endpoint = ProfileEndpoint.endpoint(
                for: profile, ehloName: configuration.ehloName, connectTimeout: configuration.connectTimeout,
                replyTimeout: configuration.replyTimeout, totalTimeout: configuration.totalTimeout)
            else {
                return .misconfigured(profile.mode.sendsViaRelay
                    ? "owner \(owner) sends through the system relay (mode \(profile.mode.rawValue)), but no relay is configured "
                        + "([relay] in outbox.conf or OUTBOX_RELAY)"
                    : "profile of owner \(owner) (mode \(profile.mode.rawValue)) has no host: outbox profile set \(owner) --host HOST (or --preset)")
            }
            let user = profile.username ?? ""
            guard profile.mode.usesOAuth else {
                return .smtp(SMTPRoute(owner: owner, endpoint: endpoint, login: user.isEmpty ? .none : .password(user: user, password: password(profile))))
            }
            guard !user.isEmpty else {
                return .misconfigured("profile of owner \(owner) (mode \(profile.mode.rawValue)) has no user name; XOAUTH2 logs in as the mailbox: "
                    + "outbox profile set \(owner) --user ADDRESS")
            }
            return .smtp(SMTPRoute(owner: owner, endpoint: endpoint, login: .oauth(user: user, storedToken: profile.secret)))
        }
    }

    /// The profile's password; Gmail's and Yahoo's app passwords without the spaces they are
    /// shown with, whichever layer the host and the password come from.
    private static func password(_ profile: ResolvedProfile) -> String {
        let secret = profile.secret ?? ""
        guard let host = profile.host, ProfilePreset.forHost(host)?.usesAppPasswords == true else { return secret }
        return secret.filter { $0 != " " }
    }
}

/// An SMTP route before its login is authorised: the server, and who logs in how. Its
/// description names the user, never a secret.
public struct SMTPRoute: Sendable, CustomStringConvertible {
    enum Login: Sendable {
        case none
        case password(user: String, password: String)
        /// XOAUTH2; the token comes from the access-token source, else the stored secret.
        case oauth(user: String, storedToken: String?)
    }

    public let owner: String
    public let endpoint: SMTPEndpoint
    let login: Login

    /// The user name logged in with; empty for no authentication.
    public var user: String {
        switch login {
        case .none: ""
        case .password(let user, _), .oauth(let user, _): user
        }
    }

    /// Whether the login is XOAUTH2 with an access token.
    public var usesOAuth: Bool { if case .oauth = login { true } else { false } }

    /// The credentials to log in with. For XOAUTH2 this fetches a valid access token from
    /// `tokens` — refreshed over the network when it is about to expire — or, without a
    /// source, uses the stored token. Throws, saying what to do, when there is no token.
    public func authorise(tokens: (any AccessTokenSource)?, now: Int64) throws(RouteError) -> AuthorisedSMTPRoute {
        switch login {
        case .none:
            return AuthorisedSMTPRoute(endpoint: endpoint, credentials: .none, secret: "")
        case .password(let user, let password):
            return AuthorisedSMTPRoute(endpoint: endpoint, credentials: .password(user: user, password: password), secret: password)
        case .oauth(let user, let stored):
            var token = stored ?? ""
            if let tokens {
                do { token = try tokens.accessToken(owner: owner, now: now) } catch {
                    throw RouteError("OAuth for owner \(owner): \(error)")
                }
            }
            guard !token.isEmpty else {
                throw RouteError("profile of owner \(owner) (an OAuth mode) has no access token: sign in with outbox profile oauth \(owner)")
            }
            return AuthorisedSMTPRoute(endpoint: endpoint, credentials: .oauth2(user: user, bearerToken: token), secret: token)
        }
    }

    /// After the server refused `rejected`'s access token (535): a route with a token
    /// refreshed once, even when several callers report the same refused token.
    public func reauthorise(after rejected: AuthorisedSMTPRoute, tokens: any AccessTokenSource, now: Int64) throws(RouteError) -> AuthorisedSMTPRoute {
        let token: String
        do { token = try tokens.refreshAfterRejection(owner: owner, rejected: rejected.key.secret, now: now) } catch {
            throw RouteError("OAuth for owner \(owner): \(error)")
        }
        return AuthorisedSMTPRoute(endpoint: endpoint, credentials: .oauth2(user: user, bearerToken: token), secret: token)
    }

    public var description: String {
        "SMTPRoute(\(endpoint.host):\(endpoint.port) \(endpoint.tls.rawValue), user: \(user.isEmpty ? "-" : user)\(usesOAuth ? " (XOAUTH2)" : ""))"
    }
}

/// An SMTP route with the credentials to log in with (see ``SMTPRoute/authorise(tokens:now:)``).
public struct AuthorisedSMTPRoute: Sendable, CustomStringConvertible {
    public let endpoint: SMTPEndpoint
    public let credentials: SMTPCredentials
    /// Tells sessions of different logins apart in the connection pool.
    let key: SessionKey

    init(endpoint: SMTPEndpoint, credentials: SMTPCredentials, secret: String) {
        self.endpoint = endpoint
        self.credentials = credentials
        key = SessionKey(endpoint: endpoint, user: credentials.user, secret: secret, mechanism: credentials.mechanism)
    }

    public var description: String { "AuthorisedSMTPRoute(\(endpoint.host):\(endpoint.port), \(credentials))" }
}

/// Why a route could not be authorised (no access token, a failed refresh). Holds the profile.
public struct RouteError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
