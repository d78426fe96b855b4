/// How an owner's mail leaves: through which transport, with which From and envelope.
public enum SenderMode: String, Sendable, Codable, CaseIterable {
    /// The system relay from the daemon's configuration; From is the owner's address.
    case system
    /// The owner's own SMTP server (resolved profile).
    case smtp
    /// The system relay with `From: company@event-domain`, `Reply-To:` the owner, and a
    /// VERP envelope sender so bounces come back to Outbox.
    case replyTo = "reply-to"
    /// SMTP with XOAUTH2 to Microsoft 365.
    case m365OAuth = "m365-oauth"
    /// SMTP with XOAUTH2 to Gmail / Google Workspace (tokens from `outbox profile oauth --provider google`).
    case gmailOAuth = "gmail-oauth"
    /// POST to an HTTP mail service.
    case http
    /// Write each message into a Maildir (development and the demo; never a silent default in production).
    case maildir

    /// Whether mail leaves through the system relay, whose endpoint and login are the relay's.
    public var sendsViaRelay: Bool { self == .system || self == .replyTo }

    /// Whether the mode connects to an SMTP server of the owner's own (host, port, TLS, login).
    public var usesOwnSMTPServer: Bool { self == .smtp || usesOAuth }

    /// Whether the mode logs in with XOAUTH2 and the OAuth tokens stored on the profile.
    public var usesOAuth: Bool { self == .m365OAuth || self == .gmailOAuth }

    /// The provider whose servers an OAuth mode talks to by default.
    public var oauthPreset: ProfilePreset? {
        switch self {
        case .m365OAuth: .office365
        case .gmailOAuth: .gmail
        default: nil
        }
    }
}

/// Transport security of an SMTP connection.
public enum TLSMode: String, Sendable, Codable, CaseIterable {
    /// Clear text (only for loopback or trusted networks).
    case none
    /// STARTTLS, required: never continue in clear text.
    case starttls
    /// Implicit TLS from the first byte (`smtps://`, usually port 465).
    case tls

    /// The usual mode for a port: 465 is implicit TLS, everything else STARTTLS.
    public static func forPort(_ port: Int) -> TLSMode { port == 465 ? .tls : .starttls }

    /// The mode a user means by `word`, as the reference guides write it: `ssl` (also
    /// `implicit`, `smtps`) is implicit TLS; `starttls`, `startssl`, `tls` and the guides'
    /// combined label `StartSSL/SSL/TLS` are STARTTLS; `none` (also `plain`) is clear text.
    /// Case does not matter. Nil for any other word.
    public init?(word: String) {
        switch word.lowercased() {
        case "none", "plain": self = .none
        case "starttls", "startssl", "tls", "startssl/ssl/tls", "starttls/ssl/tls": self = .starttls
        case "ssl", "implicit", "smtps", "ssl/tls": self = .tls
        default: return nil
        }
    }

    /// The word operators see and type: `none`, `starttls` or `ssl` (implicit TLS).
    public var word: String {
        switch self {
        case .none: "none"
        case .starttls: "starttls"
        case .tls: "ssl"
        }
    }
}
