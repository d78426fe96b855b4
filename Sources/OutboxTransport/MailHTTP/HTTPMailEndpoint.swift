/// Where and how the `http` sender mode posts messages.
public struct HTTPMailEndpoint: Sendable, CustomStringConvertible {
    /// `https://…` (plain `http://` only to loopback).
    public var url: String
    public var format: HTTPMailFormat
    public var auth: HTTPMailAuth
    public var connectTimeout: Duration
    /// Time allowed for the whole POST, answer included.
    public var totalTimeout: Duration
    public var verifyTLS: Bool
    public var caFile: String?

    public init(
        url: String, format: HTTPMailFormat = .rawMIME, auth: HTTPMailAuth = .none, connectTimeout: Duration = .seconds(15),
        totalTimeout: Duration = .seconds(120), verifyTLS: Bool = true, caFile: String? = nil
    ) {
        self.url = url
        self.format = format
        self.auth = auth
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.verifyTLS = verifyTLS
        self.caFile = caFile
    }

    public var description: String { "\(url) (\(format.rawValue), \(auth))" }
}
