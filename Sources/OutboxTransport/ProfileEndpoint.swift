public import OutboxCore

/// Turns a resolved SMTP profile into the transport's endpoint (the credentials are the
/// daemon's `DeliveryRoute`'s: they may need an OAuth access token).
public enum ProfileEndpoint {
    /// The endpoint of an SMTP-mode profile, or nil when it has no host.
    public static func endpoint(
        for profile: ResolvedProfile, ehloName: String = "localhost",
        connectTimeout: Duration = .seconds(30), replyTimeout: Duration = .seconds(300), totalTimeout: Duration? = .seconds(600)
    ) -> SMTPEndpoint? {
        guard let host = profile.host, !host.isEmpty else { return nil }
        let tls: SMTPEndpoint.TLSMode = switch profile.tls {
        case .none: .none
        case .starttls: .startTLS
        case .tls: .implicitTLS
        }
        let port = profile.port ?? (tls == .implicitTLS ? 465 : tls == .none ? 25 : 587)
        return SMTPEndpoint(host: host, port: port, tls: tls, verifyTLS: profile.verifyTLS, caFile: profile.caFile,
                            sourceAddress: profile.bindAddress, ehloName: ehloName,
                            connectTimeout: connectTimeout, replyTimeout: replyTimeout, totalTimeout: totalTimeout)
    }
}
