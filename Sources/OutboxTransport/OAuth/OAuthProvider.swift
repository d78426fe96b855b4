/// Whose OAuth 2.0 endpoints and conventions an ``OAuthAuthority`` follows.
public enum OAuthProvider: String, Sendable, Hashable, CaseIterable {
    /// Microsoft's identity platform: tenants, the device authorization grant (RFC 8628),
    /// and a scope sent with every refresh.
    case microsoft
    /// Google: the authorization code grant with PKCE and a loopback redirect (RFC 7636,
    /// RFC 8252), since Google's device flow does not allow the Gmail scope; Desktop app
    /// clients send their client secret.
    case google

    /// The scopes that allow sending (SMTP) and reading mailboxes (IMAP, POP) with a
    /// refresh token.
    public var defaultScope: String {
        switch self {
        case .microsoft: OAuthAuthority.defaultScope
        case .google: "https://mail.google.com/"
        }
    }
}
