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
    /// POST to an HTTP mail service.
    case http
    /// Write each message into a Maildir (development and the demo; never a silent default in production).
    case maildir
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
}
