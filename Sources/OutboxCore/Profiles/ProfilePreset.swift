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

    /// The provider's name for people to read.
    public var displayName: String {
        switch self {
        case .gmail: "Gmail"
        case .office365: "Microsoft 365"
        case .zone: "Zone"
        case .yahoo: "Yahoo Mail"
        case .telia: "Telia"
        }
    }

    public var port: Int { self == .telia ? 465 : 587 }
    public var tls: TLSMode { TLSMode.forPort(port) }

    /// Microsoft 365 needs OAuth 2.0 (basic authentication is retired from April 2026).
    public var mode: SenderMode { self == .office365 ? .m365OAuth : .smtp }

    /// Providers whose app passwords are shown with spaces that must be removed.
    public var usesAppPasswords: Bool { self == .gmail || self == .yahoo }

    /// Whether the provider files a copy of every message submitted over SMTP in the
    /// sender's Sent folder itself, so a copy appended by Outbox would be a duplicate.
    /// Gmail (support.google.com/mail/answer/78892: mail sent through smtp.gmail.com is
    /// saved to Sent Mail; clients should not save another) and Microsoft 365 (Exchange
    /// Online saves mail sent by SMTP client submission to Sent Items). Not known of the
    /// others: their users keep `--sent-copy`.
    public var filesSentCopy: Bool { self == .gmail || self == .office365 }

    /// The provider whose mailbox a profile sends from: an OAuth mode's (whatever the SMTP
    /// host, which may be a relay), or the preset whose SMTP host it is; nil otherwise.
    public static func provider(mode: SenderMode, smtpHost: String?) -> ProfilePreset? {
        mode.oauthPreset ?? smtpHost.flatMap(forHost)
    }

    /// The IMAP server of a profile's mailbox (the default Sent folder server): its
    /// ``provider(mode:smtpHost:)``'s, else the SMTP host itself.
    public static func imapHost(mode: SenderMode, smtpHost: String?) -> String? {
        provider(mode: mode, smtpHost: smtpHost)?.imapHost ?? smtpHost
    }

    /// The preset a host name belongs to, if any.
    public static func forHost(_ host: String) -> ProfilePreset? {
        allCases.first { $0.host == host.lowercased() }
    }
}
