import Foundation

/// Talks to an OAuth 2.0 authority for one app registration: the device authorization
/// grant (RFC 8628), the authorization code grant with PKCE (RFC 7636) and the refresh
/// token grant (RFC 6749 §6). Blocking; tokens travel
/// only in request bodies and never reach logs or errors.
public struct OAuthClient: Sendable {
    public let authority: OAuthAuthority
    /// The app registration's client id.
    public let clientID: String
    /// The client secret, for clients that have one (Google's Desktop app clients); sent
    /// only in token requests.
    public var clientSecret: OAuthToken?
    /// Space-separated scopes to request.
    public let scope: String
    /// Time allowed to connect to the authority.
    public var connectTimeout: Duration = .seconds(15)
    /// Time allowed for each request.
    public var requestTimeout: Duration = .seconds(30)
    /// Added to the polling interval on each `slow_down` (RFC 8628 §3.5: 5 seconds).
    public var slowDownIncrement: Duration = .seconds(5)
    /// A CA file to verify the authority with, instead of the system's.
    public var caFile: String?

    /// - Parameter scope: the scopes to request; nil for the provider's default.
    public init(authority: OAuthAuthority, clientID: String, scope: String? = nil) throws(OAuthError) {
        let trimmed = clientID.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw OAuthError(.missingClientID, "a client id (the app registration's application id) is required") }
        guard trimmed.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw OAuthError(.missingClientID, "the client id must be printable ASCII without spaces")
        }
        self.authority = authority
        self.clientID = trimmed
        self.scope = scope ?? authority.provider.defaultScope
    }

    /// POSTs a form to `url` and parses the JSON answer. Transport failures and 5xx
    /// without an OAuth error object come back as ``OAuthError/Code/unavailable``.
    func post(_ url: String, _ form: [(String, String)], step: String) throws(OAuthError) -> OAuthReply {
        let request = HTTPRequest(
            method: .post, url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: OAuthForm.encode(form), connectTimeout: connectTimeout, totalTimeout: requestTimeout,
            caFile: caFile, maximumResponseBytes: 256 * 1024)
        let response: HTTPResponse
        do {
            response = try HTTPClient.perform(request)
        } catch {
            let code: OAuthError.Code = error.code == .invalidURL ? .invalidAuthority : .unavailable
            throw OAuthError(code, "\(step) at \(authority) failed: \(error.reason)")
        }
        guard let reply = OAuthReply(response) else {
            let code: OAuthError.Code = response.status >= 500 ? .unavailable : .invalidResponse
            throw OAuthError(code, "\(step) at \(authority): HTTP \(response.status) without an OAuth JSON answer")
        }
        if reply.error == nil, response.status >= 500 {
            throw OAuthError(.unavailable, "\(step) at \(authority): HTTP \(response.status)")
        }
        return reply
    }

    /// Turns a successful token response into tokens, checking the required fields.
    func tokens(from reply: OAuthReply, now: Int64, step: String) throws(OAuthError) -> OAuthTokenSet {
        guard let access = reply.string("access_token") else {
            throw OAuthError(.invalidResponse, "\(step) at \(authority): HTTP \(reply.status) without access_token")
        }
        if let type = reply.string("token_type"), type.lowercased() != "bearer" {
            throw OAuthError(.invalidResponse, "\(step) at \(authority): token_type \(type) is not Bearer")
        }
        let lifetime = max(0, reply.seconds("expires_in") ?? 3600)
        return OAuthTokenSet(
            accessToken: OAuthToken(access), refreshToken: reply.string("refresh_token").map(OAuthToken.init),
            expiresAt: now + Int64(lifetime) * 1000)
    }
}
