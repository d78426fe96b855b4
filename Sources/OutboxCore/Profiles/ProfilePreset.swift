/// Known providers' server settings, so users need not look them up.
public enum ProfilePreset: String, Sendable, CaseIterable {
    case gmail, office365, zone, yahoo, telia

    public var host: String {
        switch self {
        case .gmail: "smtp.gmail.com"
        case .office365: "smtp.office365.com"
        case .zone: "smtp.zone.eu"
        case .yahoo: "smtp.mail.yahoo.com"
        case .telia: "mail.ee"
        }
    }

    /// The provider's IMAP server (implicit TLS, port 993): the default Sent folder server
    /// and the one an OAuth mailbox logs in to. Not always the SMTP host: Gmail's
    /// smtp.gmail.com serves no IMAP.
    public var imapHost: String {
        switch self {
        case .gmail: "imap.gmail.com"
        case .office365: "outlook.office365.com"
        case .zone: "imap.zone.eu"
        case .yahoo: "imap.mail.yahoo.com"
        case .telia: "mail.ee"
        }
    }

    public var port: Int { self == .telia ? 465 : 587 }
    public var tls: TLSMode { TLSMode.forPort(port) }

    /// Microsoft 365 needs OAuth 2.0 (basic authentication is retired from April 2026).
    public var mode: SenderMode { self == .office365 ? .m365OAuth : .smtp }

    /// Providers whose app passwords are shown with spaces that must be removed.
    public var usesAppPasswords: Bool { self == .gmail || self == .yahoo }

    /// The IMAP server of a profile's mailbox (the default Sent folder server): the
    /// provider's for an OAuth mode (whatever the SMTP host, which may be a relay) or for a
    /// preset's SMTP host, else the SMTP host itself.
    public static func imapHost(mode: SenderMode, smtpHost: String?) -> String? {
        if let preset = mode.oauthPreset { return preset.imapHost }
        return smtpHost.map { forHost($0)?.imapHost ?? $0 }
    }

    /// The preset a host name belongs to, if any.
    public static func forHost(_ host: String) -> ProfilePreset? {
        allCases.first { $0.host == host.lowercased() }
    }
}
