extension OAuthClient {
    /// Redeems a refresh token for a new access token (RFC 6749 §6). `invalid_grant`
    /// (revoked, expired or already rotated) is ``OAuthError/Code/reauthorisationNeeded``
    /// naming `owner`; the new refresh token, if the server rotated it, is in the result.
    public func refresh(_ refreshToken: OAuthToken, owner: String, now: Int64) throws(OAuthError) -> OAuthTokenSet {
        let step = "token refresh"
        var form = [("grant_type", "refresh_token"), ("client_id", clientID), ("refresh_token", refreshToken.value)]
        if let clientSecret { form.append(("client_secret", clientSecret.value)) }
        // Microsoft issues a token for the scope asked; Google's refresh keeps the granted scope.
        if authority.provider == .microsoft { form.append(("scope", scope)) }
        let reply = try post(authority.tokenURL, form, step: step)
        switch reply.error {
        case nil:
            return try tokens(from: reply, now: now, step: step)
        case "invalid_grant":
            throw OAuthError.reauthorise(owner: owner, because: "the refresh token of owner \(owner) was refused (\(reply.errorSummary))",
                                         serverError: "invalid_grant")
        case "temporarily_unavailable":
            throw OAuthError(.unavailable, "\(step) at \(authority): \(reply.errorSummary)", serverError: "temporarily_unavailable")
        case let error?:
            throw OAuthError(.rejected, "\(step) for owner \(owner) at \(authority) refused: \(reply.errorSummary)", serverError: error)
        }
    }
}
