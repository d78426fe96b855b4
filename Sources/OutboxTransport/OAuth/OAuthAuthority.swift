/// An OAuth 2.0 authority, from which its endpoints follow:
/// - Microsoft: a base URL and tenant, e.g. `https://login.microsoftonline.com` and
///   `organizations` (`{authority}/{tenant}/oauth2/v2.0/devicecode` and `…/token`);
/// - Google: the token endpoint's base (`https://oauth2.googleapis.com/token`) and the
///   authorization endpoint `https://accounts.google.com/o/oauth2/v2/auth`. Another base URL
///   (a test server, a proxy) serves both, as `{url}/token` and `{url}/o/oauth2/v2/auth`.
public struct OAuthAuthority: Sendable, Hashable, CustomStringConvertible {
    /// Microsoft's identity platform.
    public static let microsoft = "https://login.microsoftonline.com"
    /// Google's token endpoint base.
    public static let google = "https://oauth2.googleapis.com"
    /// Google's authorization endpoint (where the user signs in and consents).
    public static let googleAuthorization = "https://accounts.google.com/o/oauth2/v2/auth"
    /// Work and school accounts of any tenant.
    public static let defaultTenant = "organizations"
    /// Sending mail over SMTP with XOAUTH2, and a refresh token.
    public static let defaultScope = "https://outlook.office.com/SMTP.Send offline_access"

    public let provider: OAuthProvider
    /// The base URL, without a trailing slash.
    public let url: String
    /// Microsoft's tenant; nil for Google.
    public let tenant: String?

    /// A Microsoft authority. Checks the URL (https, or http to loopback only) and the
    /// tenant (a name or GUID).
    public init(url: String = OAuthAuthority.microsoft, tenant: String = OAuthAuthority.defaultTenant) throws(OAuthError) {
        guard !tenant.isEmpty, tenant.count <= 128,
            tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
        else { throw OAuthError(.invalidAuthority, "tenant \"\(tenant)\" must be a tenant name, domain or id (letters, digits, - . _)") }
        self.provider = .microsoft
        self.url = try Self.checked(url)
        self.tenant = tenant
    }

    /// A Google authority at `url` (checked like Microsoft's).
    public init(google url: String) throws(OAuthError) {
        self.provider = .google
        self.url = try Self.checked(url)
        self.tenant = nil
    }

    private static func checked(_ url: String) throws(OAuthError) -> String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if let problem = HTTPURLPolicy.problem(with: base) { throw OAuthError(.invalidAuthority, "authority: \(problem)") }
        guard !base.contains("?"), !base.contains("#"), !base.dropFirst(8).contains("@") else {
            throw OAuthError(.invalidAuthority, "authority \(base) must be a plain URL without user, query or fragment")
        }
        return base
    }

    /// The device authorization endpoint (RFC 8628 §3.1; Microsoft).
    public var deviceCodeURL: String { "\(url)/\(tenant ?? Self.defaultTenant)/oauth2/v2.0/devicecode" }

    /// The authorization endpoint (RFC 6749 §3.1; Google).
    public var authorizationURL: String {
        url == Self.google ? Self.googleAuthorization : "\(url)/o/oauth2/v2/auth"
    }

    /// The token endpoint (RFC 6749 §3.2).
    public var tokenURL: String {
        switch provider {
        case .microsoft: "\(url)/\(tenant ?? Self.defaultTenant)/oauth2/v2.0/token"
        case .google: "\(url)/token"
        }
    }

    public var description: String { tenant.map { "\(url)/\($0)" } ?? url }
}
