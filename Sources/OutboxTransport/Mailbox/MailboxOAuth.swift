/// How a mailbox session logs in with XOAUTH2 (Microsoft 365, Gmail): the owner whose OAuth
/// tokens are used, and where a valid access token comes from. libcurl speaks the SASL
/// (`CURLOPT_XOAUTH2_BEARER`), as for SMTP. The token is never logged; this value's
/// description names only the owner.
public struct MailboxOAuth: Sendable, Hashable, CustomStringConvertible {
    /// The owner whose profile holds the tokens (for messages; equality compares it alone).
    public let owner: String
    private let current: @Sendable () throws -> OAuthToken
    private let refreshed: @Sendable (_ rejected: OAuthToken) throws -> OAuthToken

    /// - Parameters:
    ///   - current: a valid access token, refreshed first when it is about to expire.
    ///   - refreshed: a new access token after the server refused `rejected`.
    public init(owner: String, current: @escaping @Sendable () throws -> OAuthToken,
                refreshed: @escaping @Sendable (_ rejected: OAuthToken) throws -> OAuthToken) {
        self.owner = owner
        self.current = current
        self.refreshed = refreshed
    }

    /// The access token to log in with.
    func accessToken() throws(MailboxError) -> OAuthToken {
        do { return try current() } catch {
            throw MailboxError(.oauth, "no OAuth access token for the mailbox (owner \(owner)): \(error)")
        }
    }

    /// A refreshed access token after the server refused `rejected`.
    func refresh(after rejected: OAuthToken) throws(MailboxError) -> OAuthToken {
        do { return try refreshed(rejected) } catch {
            throw MailboxError(.oauth, "the mailbox refused the OAuth access token of owner \(owner) and refreshing it failed: \(error)")
        }
    }

    public static func == (lhs: MailboxOAuth, rhs: MailboxOAuth) -> Bool { lhs.owner == rhs.owner }
    public func hash(into hasher: inout Hasher) { hasher.combine(owner) }
    public var description: String { "MailboxOAuth(owner: \(owner))" }
}
