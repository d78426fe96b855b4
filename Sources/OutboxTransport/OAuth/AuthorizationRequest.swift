import Foundation
import OutboxCore

/// One sign-in with the authorization code grant (RFC 6749 §4.1) and PKCE (RFC 7636,
/// method S256): the URL the user opens, the `state` the answer must carry back, and the
/// code verifier that only the token request sees. The verifier never leaves this value
/// except in that request; `description` shows neither it nor the state.
public struct AuthorizationRequest: Sendable, CustomStringConvertible {
    /// The URL to open in a browser.
    public let url: String
    /// Where the authority redirects the browser with the code (RFC 8252 §7.3 loopback).
    public let redirectURI: String
    /// The anti-forgery value (RFC 6749 §10.12) the redirect must echo.
    let state: OAuthToken
    /// The PKCE code verifier: 32 random bytes, base64url (43 characters).
    let verifier: OAuthToken

    init(authorizationURL: String, clientID: String, scope: String, redirectURI: String, loginHint: String?) {
        verifier = OAuthToken(Self.randomText())
        state = OAuthToken(Self.randomText())
        self.redirectURI = redirectURI
        var query = [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scope),
                     ("state", state.value), ("code_challenge", Self.challenge(for: verifier.value)), ("code_challenge_method", "S256"),
                     // A refresh token, and consent shown again so a second sign-in gets a new one too.
                     ("access_type", "offline"), ("prompt", "consent")]
        if let loginHint { query.append(("login_hint", loginHint)) }
        url = authorizationURL + "?" + String(decoding: OAuthForm.encode(query), as: UTF8.self)
    }

    /// The S256 code challenge: base64url(SHA-256(verifier)) without padding (RFC 7636 §4.2).
    static func challenge(for verifier: String) -> String {
        var hash = SHA256()
        hash.update(Array(verifier.utf8))
        return base64URL(hash.finalize())
    }

    private static func randomText() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public var description: String { "AuthorizationRequest(redirect: \(redirectURI), state: <redacted>, verifier: <redacted>)" }
}

/// What the authority sent back to the redirect URI: a code, or an error (RFC 6749
/// §4.1.2), and the state. The code is a secret: `description` never shows it.
public struct AuthorizationResponse: Sendable, CustomStringConvertible {
    let code: OAuthToken?
    let state: String?
    /// `access_denied` and the like, when the user or the authority refused.
    public let error: String?
    public let errorDescription: String?

    /// Parses a redirect: a whole URL (`http://127.0.0.1:PORT/?code=…&state=…`, as pasted
    /// from the browser's address bar) or a request target (`/?code=…`). Nil when it carries
    /// neither a code nor an error.
    public init?(redirect: String) {
        let text = redirect.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let query = URLComponents(string: text)?.queryItems else { return nil }
        func value(_ name: String) -> String? {
            query.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0.replacingOccurrences(of: "+", with: " ") }
        }
        code = value("code").map(OAuthToken.init)
        state = value("state")
        error = value("error")
        errorDescription = value("error_description").map { String($0.prefix(300)) }
        guard code != nil || error != nil else { return nil }
    }

    public var description: String {
        "AuthorizationResponse(code: \(code == nil ? "none" : "<redacted>"), error: \(error ?? "none"))"
    }
}
