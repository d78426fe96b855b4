extension OAuthClient {
    /// Starts a sign-in with the authorization code grant and PKCE: a fresh state and code
    /// verifier, and the URL that asks for ``scope`` with a refresh token.
    /// - Parameters:
    ///   - redirectURI: the loopback URI the browser is sent back to, e.g. `http://127.0.0.1:8765/`.
    ///   - loginHint: the mailbox address, so the authority preselects the account.
    public func authorizationRequest(redirectURI: String, loginHint: String? = nil) -> AuthorizationRequest {
        AuthorizationRequest(authorizationURL: authority.authorizationURL, clientID: clientID, scope: scope, redirectURI: redirectURI,
                             loginHint: loginHint)
    }

    /// Checks the redirect against `request` and redeems its code (RFC 6749 §4.1.3,
    /// RFC 7636 §4.5): a state that is not the request's is refused before anything is sent
    /// (``OAuthError/Code/stateMismatch``); an error in the redirect is
    /// ``OAuthError/Code/accessDenied`` or ``OAuthError/Code/rejected``.
    /// - Parameter now: the current time in Unix milliseconds (token expiry is computed from it).
    public func redeem(_ response: AuthorizationResponse, of request: AuthorizationRequest, now: Int64) throws(OAuthError) -> OAuthTokenSet {
        guard let state = response.state, Self.sameText(state, request.state.value) else {
            throw OAuthError(.stateMismatch, "the redirect's state does not match this sign-in (a stale or forged redirect); nothing was "
                + "exchanged: run the command again and use the URL it prints")
        }
        if let error = response.error {
            let summary = [error, response.errorDescription].compactMap { $0 }.joined(separator: ": ")
            throw OAuthError(error == "access_denied" ? .accessDenied : .rejected, "the sign-in at \(authority) was refused: \(summary)",
                             serverError: error)
        }
        guard let code = response.code else { throw OAuthError(.invalidResponse, "the redirect carries no code") }
        let step = "authorization code exchange"
        var form = [("grant_type", "authorization_code"), ("code", code.value), ("redirect_uri", request.redirectURI),
                    ("client_id", clientID), ("code_verifier", request.verifier.value)]
        if let clientSecret { form.append(("client_secret", clientSecret.value)) }
        let reply = try post(authority.tokenURL, form, step: step)
        switch reply.error {
        case nil:
            return try tokens(from: reply, now: now, step: step)
        case "invalid_grant":
            throw OAuthError(.rejected, "\(step) at \(authority) refused (\(reply.errorSummary)): the code expired, was used already, "
                + "or the code verifier or redirect URI do not match the sign-in; run the command again", serverError: "invalid_grant")
        case let error?:
            throw OAuthError(.rejected, "\(step) at \(authority) refused: \(reply.errorSummary)", serverError: error)
        }
    }

    /// Compares without stopping at the first difference.
    private static func sameText(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
