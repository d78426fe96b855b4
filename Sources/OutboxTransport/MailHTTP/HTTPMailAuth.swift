import OutboxCore

/// How to authenticate to the HTTP mail service. The secret never appears in
/// `description`, `debugDescription`, `dump` or string interpolation.
public struct HTTPMailAuth: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    enum Scheme: Hashable, Sendable { case none, bearer, basic }

    let scheme: Scheme
    let user: String
    let secret: String

    /// No `Authorization` header.
    public static let none = HTTPMailAuth(scheme: .none, user: "", secret: "")

    /// `Authorization: Bearer TOKEN` (an API key or an OAuth access token).
    public static func bearer(_ token: String) -> HTTPMailAuth { HTTPMailAuth(scheme: .bearer, user: "", secret: token) }

    /// `Authorization: Basic base64(user:password)` (RFC 7617).
    public static func basic(user: String, password: String) -> HTTPMailAuth { HTTPMailAuth(scheme: .basic, user: user, secret: password) }

    /// The header value to send, or nil for ``none``.
    var headerValue: String? {
        switch scheme {
        case .none: nil
        case .bearer: "Bearer \(secret)"
        case .basic: "Basic " + String(decoding: Base64Encoder.encode(Array("\(user):\(secret)".utf8)), as: UTF8.self)
        }
    }

    public var description: String {
        switch scheme {
        case .none: "HTTPMailAuth(none)"
        case .bearer: "HTTPMailAuth(bearer: <redacted>)"
        case .basic: "HTTPMailAuth(basic: \(user), password: <redacted>)"
        }
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["auth": description]) }
}
