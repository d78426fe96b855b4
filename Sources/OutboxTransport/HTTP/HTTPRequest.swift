/// One HTTP request: method, URL, headers and body, with the limits and TLS settings to
/// send it with. Header values may hold credentials: they never appear in `description`.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// The request methods the client uses.
    public enum Method: String, Sendable, Hashable {
        case get = "GET", post = "POST"
    }

    public var method: Method
    /// `https://…`, or `http://` to a loopback address only (see ``HTTPURLPolicy``).
    public var url: String
    /// Header fields in order, as (name, value).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Time allowed to connect (TCP and TLS).
    public var connectTimeout: Duration
    /// Time allowed for the whole exchange.
    public var totalTimeout: Duration
    /// Verify the server certificate and host name (on unless a profile turns it off).
    public var verifyTLS: Bool
    /// A PEM file of CA certificates to verify the server with, instead of the system's.
    public var caFile: String?
    /// The most response body bytes kept; a longer body fails the request.
    public var maximumResponseBytes: Int
    /// Plain `http://` to a host that is not loopback, by the operator's explicit choice.
    public var allowsPlainHTTP = false

    public init(
        method: Method, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        connectTimeout: Duration = .seconds(15), totalTimeout: Duration = .seconds(60),
        verifyTLS: Bool = true, caFile: String? = nil, maximumResponseBytes: Int = 1 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Method, URL and header names only; values and body are left out.
    public var description: String {
        "\(method.rawValue) \(url) [\(headers.map(\.name).joined(separator: ", "))] (\(body.count) bytes)"
    }
}
