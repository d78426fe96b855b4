/// An OAuth 2.0 authority and tenant, e.g. `https://login.microsoftonline.com` and
/// `organizations`, from which the device-code and token endpoints follow
/// (`{authority}/{tenant}/oauth2/v2.0/devicecode` and `…/token`).
public struct OAuthAuthority: Sendable, Hashable, CustomStringConvertible {
    /// Microsoft's identity platform.
    public static let microsoft = "https://login.microsoftonline.com"
    /// Work and school accounts of any tenant.
    public static let defaultTenant = "organizations"
    /// Sending mail over SMTP with XOAUTH2, and a refresh token.
    public static let defaultScope = "https://outlook.office.com/SMTP.Send offline_access"

    /// The base URL, without a trailing slash.
    public let url: String
    public let tenant: String

    /// Checks the URL (https, or http to loopback only) and the tenant (a name or GUID).
    public init(url: String = OAuthAuthority.microsoft, tenant: String = OAuthAuthority.defaultTenant) throws(OAuthError) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if let problem = HTTPURLPolicy.problem(with: base) { throw OAuthError(.invalidAuthority, "authority: \(problem)") }
        guard !base.contains("?"), !base.contains("#"), !base.dropFirst(8).contains("@") else {
            throw OAuthError(.invalidAuthority, "authority \(base) must be a plain URL without user, query or fragment")
        }
        guard !tenant.isEmpty, tenant.count <= 128,
            tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
        else { throw OAuthError(.invalidAuthority, "tenant \"\(tenant)\" must be a tenant name, domain or id (letters, digits, - . _)") }
        self.url = base
        self.tenant = tenant
    }

    /// The device authorization endpoint (RFC 8628 §3.1).
    public var deviceCodeURL: String { "\(url)/\(tenant)/oauth2/v2.0/devicecode" }
    /// The token endpoint (RFC 6749 §3.2).
    public var tokenURL: String { "\(url)/\(tenant)/oauth2/v2.0/token" }

    public var description: String { "\(url)/\(tenant)" }
}
