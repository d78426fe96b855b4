import OutboxCore
import OutboxStore
import OutboxTransport

/// Where a profile's sent mail is copied, or why it cannot be.
typealias SentCopyTarget = Result<MailboxEndpoint, OutboxTransport.MailboxError>

/// One sent message to copy into its owner's IMAP folder: the exact bytes the SMTP server
/// accepted, and where they go (or why there is nowhere they can go).
struct SentCopyJob: Sendable {
    let messageID: Int64
    let owner: String
    let bytes: [UInt8]
    let target: SentCopyTarget

    /// The IMAP folder of `profile`'s sent mail, or nil when it names none: the copy's
    /// destination (``appendsCopy(for:)``) and where a message whose outcome is unknown is
    /// looked for. Only `smtp` and the OAuth modes have one (the relay modes have no
    /// mailbox of the owner's). Folder, server and login are taken from the owner's layer,
    /// then the company's; an `smtp` profile logs in with its password, an OAuth one
    /// with XOAUTH2 and the owner's OAuth tokens (`configuration.accessTokens`). Without
    /// `--sent-copy-url` the server is the provider's IMAP host (`ProfilePreset.imapHost(mode:smtpHost:)`).
    static func target(for profile: ResolvedProfile, layers: ProfileLayers, configuration: DeliveryConfiguration) -> SentCopyTarget? {
        guard profile.mode == .smtp || profile.mode.usesOAuth,
            let folder = layers.own?.sentCopyFolder ?? layers.global?.sentCopyFolder, !folder.isEmpty
        else { return nil }
        return Result { () throws(OutboxTransport.MailboxError) -> MailboxEndpoint in
            let oauth = profile.mode.usesOAuth
            var endpoint = try MailboxEndpoint.sentCopy(
                folder: folder, url: layers.own?.sentCopyURL ?? layers.global?.sentCopyURL,
                smtpHost: ProfilePreset.imapHost(mode: profile.mode, smtpHost: profile.host),
                username: layers.own?.sentCopyUser ?? layers.global?.sentCopyUser ?? profile.username ?? "", password: oauth ? "" : profile.secret ?? "",
                verifyTLS: profile.verifyTLS, caFile: profile.caFile)
            if oauth { endpoint.oauth = mailboxOAuth(profile, configuration: configuration) }
            endpoint.connectTimeout = Double(RetryPolicy.milliseconds(configuration.connectTimeout)) / 1000
            endpoint.transferTimeout = Double(RetryPolicy.milliseconds(configuration.replyTimeout)) / 1000
            return endpoint
        }
    }

    /// Whether mail sent through `profile` is appended to its Sent folder: only in `smtp`
    /// mode, and not to a provider that files its own copy of mail submitted over SMTP
    /// (``OutboxCore/ProfilePreset/filesSentCopy``: Gmail, Microsoft 365, in `smtp` or
    /// an OAuth mode): its folder is only searched (unknown outcomes), never appended to twice.
    static func appendsCopy(for profile: ResolvedProfile) -> Bool {
        profile.mode == .smtp && ProfilePreset.provider(mode: profile.mode, smtpHost: profile.host)?.filesSentCopy != true
    }

    /// XOAUTH2 with the owner's tokens; without a token source, the stored access token as is.
    private static func mailboxOAuth(_ profile: ResolvedProfile, configuration: DeliveryConfiguration) -> MailboxOAuth {
        if let tokens = configuration.accessTokens { return tokens.mailboxOAuth(owner: profile.owner) }
        let stored = profile.secret ?? ""
        return MailboxOAuth(owner: profile.owner, current: { OAuthToken(stored) }, refreshed: { _ in
            throw RouteError("no OAuth token source to refresh the access token of owner \(profile.owner)")
        })
    }
}
