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

    public var port: Int { self == .telia ? 465 : 587 }
    public var tls: TLSMode { TLSMode.forPort(port) }

    /// Microsoft 365 needs OAuth 2.0 (basic authentication is retired from April 2026).
    public var mode: SenderMode { self == .office365 ? .m365OAuth : .smtp }

    /// Providers whose app passwords are shown with spaces that must be removed.
    public var usesAppPasswords: Bool { self == .gmail || self == .yahoo }

    /// The preset a host name belongs to, if any.
    public static func forHost(_ host: String) -> ProfilePreset? {
        allCases.first { $0.host == host.lowercased() }
    }
}
