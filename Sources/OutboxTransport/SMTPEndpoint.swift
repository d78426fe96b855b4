/// Where and how to reach an SMTP server.
public struct SMTPEndpoint: Hashable, Sendable {
    /// How the connection is protected.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        /// Clear text (port 25 relays on a trusted network only).
        case none
        /// STARTTLS on a clear connection (587); required: never falls back to clear text.
        case startTLS = "starttls"
        /// TLS from the first byte, `smtps://` (465).
        case implicitTLS = "tls"
    }

    public var host: String
    public var port: Int
    public var tls: TLSMode
    /// Verify the server certificate and host name. Off only for self-signed company servers.
    public var verifyTLS: Bool
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// The local address to connect from (multi-homed hosts; servers restricted by IP).
    public var sourceAddress: String?
    /// The name sent with EHLO/HELO.
    public var ehloName: String
    /// Longest wait for the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Longest wait for any one server reply, and for an upload making no progress.
    /// libcurl 7.88 counts whole seconds (rounded up).
    public var replyTimeout: Duration
    /// Longest time for one whole message, connection included; nil for no limit.
    public var totalTimeout: Duration?

    public init(
        host: String, port: Int, tls: TLSMode, verifyTLS: Bool = true, caFile: String? = nil,
        sourceAddress: String? = nil, ehloName: String = "localhost",
        connectTimeout: Duration = .seconds(30), replyTimeout: Duration = .seconds(300),
        totalTimeout: Duration? = .seconds(600)
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.sourceAddress = sourceAddress
        self.ehloName = ehloName
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
        self.totalTimeout = totalTimeout
    }
}
