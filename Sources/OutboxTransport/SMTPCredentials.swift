/// How to authenticate to the server. The secret never appears in `description`,
/// `debugDescription`, `dump` or string interpolation.
public struct SMTPCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The SASL mechanism to use.
    public enum Mechanism: String, Hashable, Sendable, CaseIterable {
        /// The best mechanism the server offers (libcurl's choice).
        case automatic
        case plain, login
        /// OAuth 2.0 bearer token (Microsoft 365, Gmail); the secret is the access token.
        case xoauth2
    }

    /// The user name; empty means: do not authenticate.
    public let user: String
    public let mechanism: Mechanism
    /// The password or bearer token. Internal: only the session hands it to libcurl.
    let secret: String

    private init(user: String, secret: String, mechanism: Mechanism) {
        self.user = user
        self.secret = secret
        self.mechanism = mechanism
    }

    /// No authentication.
    public static let none = SMTPCredentials(user: "", secret: "", mechanism: .automatic)

    /// User name and password (PLAIN, LOGIN or the server's best). An empty user name
    /// means no authentication, whatever the password.
    public static func password(user: String, password: String, mechanism: Mechanism = .automatic) -> SMTPCredentials {
        user.isEmpty ? .none : SMTPCredentials(user: user, secret: password, mechanism: mechanism)
    }

    /// XOAUTH2 with an OAuth 2.0 access token.
    public static func oauth2(user: String, bearerToken: String) -> SMTPCredentials {
        user.isEmpty ? .none : SMTPCredentials(user: user, secret: bearerToken, mechanism: .xoauth2)
    }

    /// True when no authentication is done.
    public var isNone: Bool { user.isEmpty }

    public var description: String {
        isNone ? "SMTPCredentials(none)" : "SMTPCredentials(user: \(user), mechanism: \(mechanism.rawValue), secret: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["user": user, "mechanism": mechanism, "secret": "<redacted>"])
    }
}
