import Foundation
import OutboxCore
import OutboxStore
import OutboxTransport

/// How a message of a resolved profile leaves, chosen by the sender mode.
enum DeliveryRoute {
    /// SMTP (modes smtp, system, m365-oauth) over a session reused per endpoint and login.
    case smtp(SessionKey, SMTPCredentials)
    /// Write into the Maildir at this path.
    case maildir(String)
    /// POST to an HTTP mail service.
    case http(HTTPMailEndpoint)
    /// The mode is not implemented yet: fail the message, saying so.
    case unsupported(String)
    /// The profile cannot work as configured: hold it.
    case misconfigured(String)

    static func choose(_ profile: ResolvedProfile, configuration: DeliveryConfiguration) -> DeliveryRoute {
        switch profile.mode {
        case .http:
            guard let endpoint = HTTPRoute.endpoint(for: profile, configuration: configuration) else {
                return .misconfigured("profile of owner \(profile.owner) uses mode http but has no url (the HTTP mail endpoint)")
            }
            return .http(endpoint)
        case .maildir:
            guard let url = profile.url, !url.isEmpty else {
                return .misconfigured("profile of owner \(profile.owner) uses mode maildir but has no url (the Maildir directory)")
            }
            return .maildir(url.hasPrefix("file://") ? URL(string: url)?.path ?? String(url.dropFirst(7)) : url)
        case .smtp, .system, .replyTo, .m365OAuth:
            guard let endpoint = ProfileEndpoint.endpoint(
                for: profile, ehloName: configuration.ehloName, connectTimeout: configuration.connectTimeout,
                replyTimeout: configuration.replyTimeout, totalTimeout: configuration.totalTimeout)
            else {
                return .misconfigured(profile.mode == .system || profile.mode == .replyTo
                    ? "owner \(profile.owner) sends through the system relay (mode \(profile.mode.rawValue)), but no relay is configured"
                    : "profile of owner \(profile.owner) (mode \(profile.mode.rawValue)) has no host")
            }
            let user = profile.username ?? ""
            var secret = profile.secret ?? ""
            if profile.mode == .m365OAuth, let tokens = configuration.accessTokens {
                do { secret = try tokens.accessToken(owner: profile.owner, now: OutboxDatabase.milliseconds(Date())) } catch {
                    return .misconfigured("OAuth for owner \(profile.owner): \(error)")
                }
            }
            let credentials: SMTPCredentials
            if profile.mode == .m365OAuth {
                guard user.isEmpty || !secret.isEmpty else {
                    return .misconfigured("profile of owner \(profile.owner) (mode m365-oauth) has no access token")
                }
                credentials = .oauth2(user: user, bearerToken: secret)
            } else {
                credentials = .password(user: user, password: secret)
            }
            return .smtp(SessionKey(endpoint: endpoint, user: credentials.user, secret: secret, mechanism: credentials.mechanism), credentials)
        }
    }
}
