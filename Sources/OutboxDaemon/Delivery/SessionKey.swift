import OutboxTransport

/// Identifies a reusable SMTP session: the endpoint and who logs in. Holds the secret only
/// to tell credentials apart; never printed.
struct SessionKey: Hashable {
    let endpoint: SMTPEndpoint
    let user: String
    let secret: String
    let mechanism: SMTPCredentials.Mechanism
}
