import OutboxCore

/// `[relay]`: the system relay (an SMTP endpoint) used by default and by reply-to mode.
/// Holds the *name* of the password's systemd credential, never the password.
public struct RelaySettings: Sendable, Equatable {
    public var host: String
    /// Default: 25 for `none`, 587 for `starttls`, 465 for `tls`.
    public var port: Int
    /// Default: from the port (465 → `tls`, otherwise `starttls`).
    public var tls: TLSMode
    /// Nil means: do not authenticate.
    public var username: String?
    /// File name in `$CREDENTIALS_DIRECTORY` holding the password (`password-credential`);
    /// read it with ``Credentials/read(name:environment:)``.
    public var passwordCredential: String?
    /// Verify the server's certificate and name (`verify-tls`, default yes).
    public var verifyTLS: Bool = true
    /// PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// Local address to connect from.
    public var bindAddress: String?
    /// Name sent with EHLO; nil lets the transport choose.
    public var heloName: String?

    public init(host: String, port: Int? = nil, tls: TLSMode? = nil) {
        self.host = host
        self.tls = tls ?? port.map(TLSMode.forPort) ?? .starttls
        self.port = port ?? Self.defaultPort(for: self.tls)
    }

    /// The usual port of a TLS mode.
    public static func defaultPort(for tls: TLSMode) -> Int {
        switch tls {
        case .none: 25
        case .starttls: 587
        case .tls: 465
        }
    }
}
