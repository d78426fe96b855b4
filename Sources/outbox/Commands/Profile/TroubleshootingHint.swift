import OutboxCore

/// One plain hint for a failed settings test, from what failed and how the profile is set.
enum TroubleshootingHint {
    static func hint(for problem: DeliveryOutcome, profile: ResolvedProfile, localAddress: String?) -> String {
        let port = profile.port ?? 0
        let host = (profile.host ?? "").lowercased()
        let from = localAddress.map { " This machine connected from \($0)." } ?? ""
        switch problem {
        case .deferred(.connectionRefused, _), .deferred(.timeout, nil):
            return "Could not reach \(host):\(port). Check the host and port; a firewall, or a provider that blocks port \(port), "
                + "may be in the way (many block 25: use 587 or 465).\(from)"
        case .deferred(.tls, _), .deferred(.protocolError, _), .deferred(.connectionLost, nil):
            if port == 465 && profile.tls != .tls {
                return "Port 465 speaks implicit TLS from the first byte: use --tls tls (587 and 25 use STARTTLS)."
            }
            if port != 465 && profile.tls == .tls {
                return "Port \(port) expects STARTTLS, not implicit TLS: use --tls starttls (only 465 is implicit TLS)."
            }
            return "The TLS handshake failed or the certificate is not trusted. For a company server with a self-signed "
                + "certificate, give its CA with --ca-file, or --no-verify-tls (then anyone on the path can read and change "
                + "the mail: never for a public provider)."
        case .deferred(.nameResolution, _):
            return "The host name \(host) does not resolve: check its spelling."
        case .profileProblem(.authenticationRejected, _):
            var text = "The server refused the user name or password (535)."
            if host.contains("gmail") || host.contains("yahoo") {
                text += " \(host.contains("gmail") ? "Gmail" : "Yahoo") needs an app password (not the account password), entered without spaces."
            }
            return text
        case .profileProblem(.authenticationIncomplete, _):
            if host.contains("office365") || host.contains("outlook") {
                return "Microsoft 365 answered 334 and never completed: Authenticated SMTP is disabled for this mailbox. "
                    + "Enable it for the mailbox, or use OAuth 2.0 (mode m365-oauth), which Microsoft requires from April 2026."
            }
            return "Authentication never completed (the server kept answering 334): check the mechanism and credentials."
        case .profileProblem(.authenticationRequired, _):
            return "The server requires authentication: set --user and a password (an empty user name means no authentication)."
        case .profileProblem(.authenticationUnavailable, _):
            return "The server cannot authenticate right now (454): try again later, or check that TLS is on before AUTH."
        case .profileProblem(.tlsNotOffered, _):
            return "The server does not offer STARTTLS, and Outbox never falls back to clear text. Use port 465 with --tls tls if "
                + "the server has it; --tls none only for a server on a trusted network."
        case .profileProblem(.noUsableMechanism, _):
            return "The server offers no authentication mechanism Outbox can use with these credentials."
        case .profileProblem(.sessionRefused, _):
            return "The server refused the session before any mail (it may not accept this client or source address).\(from)"
        case .profileProblem(.configuration, _):
            return "The profile is not usable as set (host, source address or CA file): check outbox profile resolve \(profile.owner)."
        case .failed(let reply):
            return "The server refused the message for good (\(reply.code)): \(reply.text)"
        case .deferred(_, let reply):
            return "The server answered with a temporary error\(reply.map { " (\($0.code) \($0.text))" } ?? ""): try again later."
        case .sent:
            return ""
        }
    }
}
