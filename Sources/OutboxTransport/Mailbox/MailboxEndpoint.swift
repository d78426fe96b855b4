import Foundation

/// Where the bounce mailbox is and how to log in: `imap://`, `imaps://`, `pop3://` or
/// `pop3s://` with host, optional port and (IMAP) mailbox, default `INBOX`.
public struct MailboxEndpoint: Sendable, Hashable {
    public enum Kind: String, Sendable { case imap, pop3 }

    public let kind: Kind
    /// `scheme://host:port` without path or credentials.
    let base: String
    /// The IMAP mailbox, percent-encoded for the URL path.
    let encodedMailbox: String
    /// The IMAP mailbox as named.
    public let mailbox: String
    public var username: String
    /// Ignored when ``oauth`` is set.
    public var password: String
    /// Log in with XOAUTH2 and this owner's access tokens instead of the password.
    public var oauth: MailboxOAuth?
    /// Refuse to log in without TLS (STARTTLS on `imap://`/`pop3://`). Default true.
    public var requireTLS: Bool
    public var verifyTLS: Bool
    public var caFile: String?
    /// Connect and per-transfer timeouts, in seconds.
    public var connectTimeout: Double = 30
    public var transferTimeout: Double = 300

    /// Parses `url`. Credentials in the URL are refused: they would be on a command line.
    public init(url: String, username: String, password: String, requireTLS: Bool = true, verifyTLS: Bool = true,
                caFile: String? = nil) throws(MailboxError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host, !host.isEmpty else {
            throw MailboxError(.invalidURL, "'\(url)' is not an imap://, imaps://, pop3:// or pop3s:// URL")
        }
        guard parts.user == nil, parts.password == nil else {
            throw MailboxError(.invalidURL, "the mailbox URL must not carry a user name or password; use --user and --password-file")
        }
        guard parts.query == nil, parts.fragment == nil else { throw MailboxError(.invalidURL, "the mailbox URL must not have a query or fragment") }
        switch scheme {
        case "imap", "imaps": self.kind = .imap
        case "pop3", "pop3s": self.kind = .pop3
        default: throw MailboxError(.invalidURL, "scheme '\(scheme)' is not imap, imaps, pop3 or pop3s")
        }
        let name = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        if self.kind == .pop3, !name.isEmpty { throw MailboxError(.invalidURL, "a pop3 URL has no mailbox path") }
        guard !name.contains(";"), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\"" }) else {
            throw MailboxError(.invalidURL, "mailbox name '\(name)' contains characters that cannot be used")
        }
        mailbox = name.isEmpty ? "INBOX" : name
        encodedMailbox = mailbox.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? mailbox
        let urlHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        base = "\(scheme)://\(urlHost)\(parts.port.map { ":\($0)" } ?? "")"
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.verifyTLS = verifyTLS
        self.caFile = caFile
    }

    /// The URL without credentials, for logs and event sources.
    public var displayURL: String { self.kind == .imap ? "\(base)/\(encodedMailbox)" : base }
}
