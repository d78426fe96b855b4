/// What `outbox profile set` works out about a change before saving it: the mode a change
/// implies, and the settings it makes that the resolved profile would not use — so nothing
/// is silently ignored.
public enum ProfileChangeCheck {
    /// A setting of the change that will not take effect, with the reason, both for the user.
    public struct Unused: Sendable, Hashable {
        /// The command-line option, e.g. `--host`.
        public let option: String
        public let reason: String
    }

    /// Whether `change` sets part of an own SMTP server: host, port, TLS, user or password.
    public static func setsOwnServer(_ change: ProfileFields, secretCredential: Bool = false) -> Bool {
        change.host != nil || change.port != nil || change.tls != nil || change.username != nil || change.secret != nil || secretCredential
    }

    /// The mode to store with `change` when it gives none: `smtp` when it sets part of an own
    /// server while the owner has no mode of their own and would otherwise send through the
    /// relay (`inherited`: the mode the owner resolves to without one of their own); nil otherwise.
    public static func impliedMode(
        _ change: ProfileFields, secretCredential: Bool = false, stored: ProfileFields?, inherited: SenderMode
    ) -> SenderMode? {
        guard change.mode == nil, stored?.mode == nil, inherited.sendsViaRelay,
            setsOwnServer(change, secretCredential: secretCredential)
        else { return nil }
        return .smtp
    }

    /// The settings of `change` that `resolved` (the profile as it will be) does not use.
    public static func unused(_ change: ProfileFields, secretCredential: Bool = false, resolved: ResolvedProfile) -> [Unused] {
        let mode = resolved.mode
        var result: [Unused] = []
        func note(_ option: String, _ reason: String) { result.append(Unused(option: option, reason: reason)) }
        let server: [(String, Bool)] = [
            ("--host", change.host != nil), ("--port", change.port != nil), ("--tls", change.tls != nil),
            ("--bind-address", change.bindAddress != nil),
        ]
        let login: [(String, Bool)] = [("--user", change.username != nil), ("--password", change.secret != nil || secretCredential)]
        let certificate: [(String, Bool)] = [("--ca-file", change.caFile != nil), ("--verify-tls/--no-verify-tls", change.verifyTLS != nil)]
        switch mode {
        case .system, .replyTo:
            for (option, given) in server + login + certificate where given {
                note(option, "mode \(mode.rawValue) sends through the system relay with the relay's own settings; "
                    + "give --mode smtp to send through this server")
            }
        case .maildir:
            for (option, given) in server + login + certificate where given {
                note(option, "mode maildir writes into the directory of --url")
            }
        case .http:
            for (option, given) in server where given { note(option, "mode http posts to --url") }
        case .smtp, .m365OAuth, .gmailOAuth:
            if change.url != nil { note("--url", "mode \(mode.rawValue) sends to --host, not to a URL") }
            if mode == .m365OAuth, change.secret != nil || secretCredential {
                note("--password", "Microsoft 365 (mode m365-oauth) signs in with an OAuth access token, not a password; "
                    + "the next step is outbox profile oauth \(resolved.owner) --client-id ID --tenant TENANT")
            }
            if mode == .gmailOAuth, change.secret != nil || secretCredential {
                note("--password", "Gmail (mode gmail-oauth) signs in with an OAuth access token, not a password; "
                    + "the next step is outbox profile oauth \(resolved.owner) --provider google --client-id ID")
            }
        }
        // The user name and password travel together: a password without a user name is only
        // used when the user name is the owner's own too.
        if mode == .smtp || mode == .http, change.secret != nil || secretCredential, change.username == nil,
            let origin = resolved.origins["username"], origin != .owner
        {
            note("--password", "the user name comes from the \(origin.rawValue) profile, and a user name and its password always "
                + "come from the same profile; give --user with the password")
        }
        if change.sentCopyFolder != nil, mode.usesOwnSMTPServer,
            let provider = ProfilePreset.provider(mode: mode, smtpHost: resolved.host), provider.filesSentCopy
        {
            note("--sent-copy", "\(provider.displayName) files its own copy of mail sent through \(resolved.host ?? provider.host) "
                + "in the Sent folder, so Outbox appends none (a second copy would be a duplicate); "
                + "the folder is only searched for a message whose outcome is unknown")
        }
        if change.fromLogin == true, !mode.usesOwnSMTPServer {
            note("--from-login", "only modes smtp, m365-oauth and gmail-oauth log in as the owner")
        }
        return result
    }
}
