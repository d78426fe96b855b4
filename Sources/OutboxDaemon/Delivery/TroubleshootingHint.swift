public import OutboxCore

/// One plain hint for a failed attempt, from what failed and how the profile is set: shown
/// by `outbox profile test`, and put on the daemon's `deferred` and `profile-held` events
/// and in the journal, so the operator reads it where they look.
public enum TroubleshootingHint {
    /// The hint, or nil when the outcome says all there is (a server's own reply to the
    /// message, a success).
    /// - Parameters:
    ///   - transport: the transport's result (its code and text tell a certificate failure apart).
    ///   - localAddress: the local address connected from, when known (for IP allow-lists).
    public static func hint(
        for outcome: DeliveryOutcome, transport: TransportResult?, profile: ResolvedProfile, localAddress: String? = nil
    ) -> String? {
        let port = profile.port ?? 0
        let host = (profile.host ?? "").lowercased()
        let from = localAddress.map { " This machine connected from \($0)." } ?? ""
        let flags = profile.mode.sendsViaRelay ? "the [relay] settings in outbox.conf" : "outbox profile set \(profile.owner)"
        switch outcome {
        case .deferred(.tls, _) where isCertificateFailure(transport):
            return "The server's certificate is not trusted (\(transport?.message ?? "certificate problem")). For a company "
                + "server with a self-signed certificate, give its CA with --ca-file, or --no-verify-tls (then anyone on the "
                + "path can read and change the mail: never for a public provider)."
        case .deferred(.tls, _), .deferred(.protocolError, _), .deferred(.connectionLost, nil), .deferred(.timeout, nil):
            if profile.tls == .tls {
                if case .deferred(.timeout, _) = outcome {
                    return "Could not reach \(host):\(port) in time. Check the host and port; a firewall may be in the way.\(from)"
                }
                return "The server at \(host):\(port) did not speak TLS from the first byte: it expects STARTTLS or clear text. "
                    + "Use --tls starttls (only port 465 is usually SSL, i.e. implicit TLS) via \(flags)."
            }
            if port == 465 {
                return "Port 465 speaks SSL (implicit TLS) from the first byte: use --tls ssl (587 and 25 use STARTTLS) via \(flags)."
            }
            if case .deferred(.timeout, _) = outcome {
                return "No greeting from \(host):\(port) in time. Check the host and port (a firewall may be in the way); "
                    + "a server that speaks SSL (implicit TLS) on this port needs --tls ssl.\(from)"
            }
            return "The connection to \(host):\(port) broke during the TLS handshake or the greeting: check that the port "
                + "and --tls match (465 is SSL, 587 and 25 STARTTLS).\(from)"
        case .deferred(.connectionRefused, _), .deferred(.timeout, _):
            return "Could not reach \(host):\(port). Check the host and port; a firewall, or a provider that blocks port \(port), "
                + "may be in the way (many block 25: use 587 or 465).\(from)"
        case .deferred(.nameResolution, _):
            return "The host name \(host) does not resolve: check its spelling."
        case .profileProblem(.authenticationRejected, _):
            if profile.mode == .m365OAuth {
                return "Microsoft 365 refused the OAuth access token (535): sign in again with outbox profile oauth \(profile.owner), "
                    + "and check that the app registration has the SMTP.Send permission and Authenticated SMTP is enabled for the mailbox."
            }
            if profile.mode == .gmailOAuth {
                return "Gmail refused the OAuth access token (535): sign in again with outbox profile oauth \(profile.owner) --provider google, "
                    + "and check that the consent granted the scope https://mail.google.com/ and the user name is the mailbox address."
            }
            var text = "The server refused the user name or password (535)."
            if let provider = ProfilePreset.forHost(host), provider.usesAppPasswords {
                text += " \(provider == .gmail ? "Gmail" : "Yahoo") needs an app password (not the account password), entered without spaces."
            } else if host.contains("office365") || host.contains("outlook") {
                text += " Microsoft 365 no longer accepts passwords for SMTP: use mode m365-oauth (outbox profile oauth \(profile.owner))."
            }
            return text
        case .profileProblem(.authenticationIncomplete, _):
            if host.contains("office365") || host.contains("outlook") || profile.mode == .m365OAuth {
                return "Microsoft 365 answered 334 and never completed: Authenticated SMTP is disabled for this mailbox. "
                    + "Enable it for the mailbox, and use OAuth 2.0 (mode m365-oauth, outbox profile oauth \(profile.owner)), "
                    + "which Microsoft requires from April 2026."
            }
            return "Authentication never completed (the server kept answering 334): check the mechanism and credentials."
        case .profileProblem(.authenticationRequired, _):
            return "The server requires authentication: set --user and a password (an empty user name means no authentication)."
        case .profileProblem(.authenticationUnavailable, _):
            return "The server cannot authenticate right now (454): try again later, or check that TLS is on before AUTH."
        case .profileProblem(.tlsNotOffered, _):
            return "The server does not offer STARTTLS, and Outbox never falls back to clear text. Use port 465 with --tls ssl if "
                + "the server has it; --tls none only for a server on a trusted network."
        case .profileProblem(.noUsableMechanism, _):
            return "The server offers no authentication mechanism Outbox can use with these credentials"
                + (profile.mode.usesOAuth ? " (XOAUTH2 is needed for \(profile.mode.rawValue))." : ".")
        case .profileProblem(.sessionRefused, _):
            return "The server refused the session before any mail (it may not accept this client or source address).\(from)"
        case .profileProblem(.configuration, _):
            return "The profile is not usable as set (host, source address or CA file): check outbox profile resolve \(profile.owner)."
        case .failed, .deferred, .sent, .unknown:
            return nil
        }
    }

    /// libcurl's codes for an untrusted or mismatched peer certificate (60, 83, 90, 91), or its text saying so.
    static func isCertificateFailure(_ transport: TransportResult?) -> Bool {
        guard let transport else { return false }
        return [60, 83, 90, 91].contains(transport.code) || transport.message.lowercased().contains("certificate")
    }
}
