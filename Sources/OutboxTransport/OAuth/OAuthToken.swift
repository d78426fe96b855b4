/// An OAuth 2.0 token (access, refresh or device code). Its text never appears in
/// `description`, `debugDescription`, `dump` or string interpolation; read ``value`` only
/// to hand it to the server.
public struct OAuthToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The token itself. Never log, print or store it anywhere but the profile row.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted token>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"]) }
}
