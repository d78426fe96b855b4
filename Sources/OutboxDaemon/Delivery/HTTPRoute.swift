import OutboxCore
import OutboxStore
import OutboxTransport

/// The `http` sender mode: where a profile posts, and the envelope that goes with it.
enum HTTPRoute {
    /// The endpoint from the profile's `url`; the secret is a bearer token, or with a user
    /// name a basic-auth password. Nil when the profile has no URL.
    static func endpoint(for profile: ResolvedProfile, configuration: DeliveryConfiguration) -> HTTPMailEndpoint? {
        guard let url = profile.url, !url.isEmpty else { return nil }
        let auth: HTTPMailAuth
        switch (profile.username ?? "", profile.secret) {
        case (let user, let secret?) where !user.isEmpty: auth = .basic(user: user, password: secret)
        case (_, let secret?): auth = .bearer(secret)
        default: auth = .none
        }
        return HTTPMailEndpoint(url: url, format: .rawMIME, auth: auth, connectTimeout: configuration.connectTimeout,
                                totalTimeout: configuration.totalTimeout, verifyTLS: profile.verifyTLS, caFile: profile.caFile)
    }

    /// Open to/cc recipients as themselves; bcc and the archive copy as bcc.
    static func envelope(_ message: ClaimedMessage, _ assembly: MessageAssembly, from: Mailbox) -> HTTPMailEnvelope {
        let open = message.recipients.filter(\.isOpen)
        let visible = Set(open.filter { $0.kind != .bcc }.map(\.mailbox.address))
        return HTTPMailEnvelope(
            from: from, to: open.filter { $0.kind == .to }.map(\.mailbox), cc: open.filter { $0.kind == .cc }.map(\.mailbox),
            bcc: assembly.recipients.filter { !visible.contains($0.address) }, subject: message.subject)
    }
}
