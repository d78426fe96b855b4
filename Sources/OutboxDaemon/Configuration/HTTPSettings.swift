/// `[http]`: the HTTP API listener inside `outbox serve` (off unless `listen` is set).
public struct HTTPSettings: Sendable, Equatable {
    /// `listen = HOST:PORT` (`127.0.0.1:8025`, `[::1]:8025`; port 0: any free one, logged); nil: no listener.
    public var host: String?
    public var port: Int = 8025
    /// `max-body-bytes`: the largest request body; a bigger one is refused with 413
    /// (default 64 MiB: about 10,000 one-page letters, or one large upload).
    public var maxBodyBytes: Int = 64 * 1024 * 1024
    /// `allow-public = yes` lets `listen` name an address other than loopback; without it
    /// such an address is refused, so the API is not exposed by a typo.
    public var allowPublic = false
    /// `status-page-without-token = yes`: the status page (`/`) needs no API token — for a
    /// loopback listener only (refused otherwise), reached through an SSH tunnel or locally.
    /// Requests a reverse proxy forwarded (`Forwarded`, `X-Forwarded-For`) still need one.
    public var statusPageWithoutToken = false
    /// `tls-certificate = PATH` (PEM, the chain with the server's certificate first) and
    /// `tls-key = PATH` (PEM): the listener speaks HTTPS itself. Both or neither; read at start.
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init() {}

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses `HOST:PORT` or `[IPv6]:PORT`; nil when malformed.
    static func listenAddress(_ text: String) -> (host: String, port: Int)? {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !host.isEmpty, let number = Int(port), (0...65_535).contains(number) else { return nil }
        return (String(host), number)
    }
}
