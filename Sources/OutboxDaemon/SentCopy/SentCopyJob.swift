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

    /// The copy a message sent through `profile` gets, or nil when the profile keeps none.
    /// Only `smtp` profiles keep one (the relay modes have no mailbox of the owner's; HTTP
    /// services and Microsoft 365 keep their own). Folder, server and login are taken from
    /// the owner's layer, then the company's; the password is the profile's.
    static func target(for profile: ResolvedProfile, layers: ProfileLayers, configuration: DeliveryConfiguration) -> SentCopyTarget? {
        guard profile.mode == .smtp, let folder = layers.own?.sentCopyFolder ?? layers.global?.sentCopyFolder, !folder.isEmpty else { return nil }
        return Result { () throws(OutboxTransport.MailboxError) -> MailboxEndpoint in
            var endpoint = try MailboxEndpoint.sentCopy(
                folder: folder, url: layers.own?.sentCopyURL ?? layers.global?.sentCopyURL, smtpHost: profile.host,
                username: layers.own?.sentCopyUser ?? layers.global?.sentCopyUser ?? profile.username ?? "", password: profile.secret ?? "",
                verifyTLS: profile.verifyTLS, caFile: profile.caFile)
            endpoint.connectTimeout = Double(RetryPolicy.milliseconds(configuration.connectTimeout)) / 1000
            endpoint.transferTimeout = Double(RetryPolicy.milliseconds(configuration.replyTimeout)) / 1000
            return endpoint
        }
    }
}
