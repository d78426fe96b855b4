/// The device authorization response (RFC 8628 §3.2): the code the user types at the
/// verification URL, and the device code this client polls with (kept redacted).
public struct DeviceAuthorization: Sendable, Hashable, CustomStringConvertible {
    /// The code the user enters, e.g. `FZ4K-9QTM` (short-lived, meant to be shown).
    public let userCode: String
    /// Where the user signs in, e.g. `https://microsoft.com/devicelogin`.
    public let verificationURI: String
    /// The URL with the code already filled in, when the server sends one.
    public let verificationURIComplete: String?
    /// The server's own instructions for the user, when it sends them.
    public let message: String?
    /// How long the codes stay valid.
    public let expiresIn: Duration
    /// The minimum wait between polls (RFC 8628: 5 s when the server gives none).
    public let interval: Duration
    /// The device code; secret, sent only to the token endpoint.
    let deviceCode: OAuthToken

    public init(
        userCode: String, verificationURI: String, verificationURIComplete: String?, message: String?,
        expiresIn: Duration, interval: Duration, deviceCode: OAuthToken
    ) {
        self.userCode = userCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.message = message
        self.expiresIn = expiresIn
        self.interval = interval
        self.deviceCode = deviceCode
    }

    public var description: String {
        "DeviceAuthorization(userCode: \(userCode), uri: \(verificationURI), expiresIn: \(expiresIn), interval: \(interval))"
    }
}
