import Foundation

extension OAuthClient {
    /// Starts the device authorization grant (RFC 8628 §3.1): asks for a device code and
    /// the user code to show.
    public func requestDeviceAuthorization() throws(OAuthError) -> DeviceAuthorization {
        let step = "device authorization request"
        let reply = try post(authority.deviceCodeURL, [("client_id", clientID), ("scope", scope)], step: step)
        if let error = reply.error {
            throw OAuthError(error == "temporarily_unavailable" ? .unavailable : .rejected,
                             "\(step) at \(authority) refused: \(reply.errorSummary)", serverError: error)
        }
        guard let deviceCode = reply.string("device_code"), let userCode = reply.string("user_code"),
            let uri = reply.string("verification_uri") ?? reply.string("verification_url"),
            let expiresIn = reply.seconds("expires_in"), expiresIn > 0
        else {
            throw OAuthError(.invalidResponse, "\(step) at \(authority): HTTP \(reply.status) without device_code, user_code, verification_uri and expires_in")
        }
        return DeviceAuthorization(
            userCode: userCode, verificationURI: uri, verificationURIComplete: reply.string("verification_uri_complete"),
            message: reply.string("message"), expiresIn: .seconds(expiresIn),
            interval: .seconds(max(1, reply.seconds("interval") ?? 5)), deviceCode: OAuthToken(deviceCode))
    }

    /// Polls the token endpoint until the user signs in (RFC 8628 §3.4–3.5): waits
    /// `interval` before each poll, keeps waiting on `authorization_pending`, adds
    /// ``slowDownIncrement`` on `slow_down` (and doubles it after a failed connection),
    /// and stops on `access_denied`, `expired_token` or when the codes expire.
    ///
    /// - Parameters:
    ///   - now: the current time in Unix milliseconds (token expiry is computed from it).
    ///   - sleep: waits; tests and the CLI pass a real sleep.
    ///   - onPoll: told the interval before each wait (for progress output and tests).
    public func pollForTokens(
        _ authorization: DeviceAuthorization, now: () -> Int64 = OAuthClock.now,
        sleep: (Duration) -> Void = OAuthClock.sleep, onPoll: (Duration) -> Void = { _ in }
    ) throws(OAuthError) -> OAuthTokenSet {
        let step = "token request"
        let deadline = now() + Int64(authorization.expiresIn.milliseconds)
        var interval = authorization.interval
        let form = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", clientID),
                    ("device_code", authorization.deviceCode.value)]
        while true {
            guard now() + Int64(interval.milliseconds) <= deadline else {
                throw OAuthError(.expiredToken, "the code \(authorization.userCode) expired before sign-in finished; run the command again")
            }
            onPoll(interval)
            sleep(interval)
            let reply: OAuthReply
            do {
                reply = try post(authority.tokenURL, form, step: step)
            } catch where error.code == .unavailable {
                interval = min(interval * 2, .seconds(60))  // RFC 8628 §3.5: back off on connection timeouts
                continue
            }
            switch reply.error {
            case nil:
                return try tokens(from: reply, now: now(), step: step)
            case "authorization_pending":
                continue
            case "slow_down":
                interval += slowDownIncrement
            case "access_denied":
                throw OAuthError(.accessDenied, "sign-in was declined at \(authorization.verificationURI) (access_denied)", serverError: "access_denied")
            case "expired_token":
                throw OAuthError(.expiredToken, "the code \(authorization.userCode) expired before sign-in finished (expired_token); run the command again",
                                 serverError: "expired_token")
            case let error?:
                throw OAuthError(.rejected, "\(step) at \(authority) refused: \(reply.errorSummary)", serverError: error)
            }
        }
    }
}
