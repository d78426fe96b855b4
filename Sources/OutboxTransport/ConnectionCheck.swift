public import OutboxCore

/// The result of ``SMTPSession/check()``: connect, TLS and authentication tried without
/// sending mail.
public struct ConnectionCheck: Sendable {
    /// Nil when everything worked; otherwise what failed, classified like a delivery.
    public let problem: DeliveryOutcome?
    /// Every server reply, in order (the greeting, EHLO capabilities, AUTH verdict, …).
    public let replies: [SMTPReply]
    /// The local address the connection came from (for IP allow-lists), if connected.
    public let localAddress: String?
    /// The server address connected to, if connected.
    public let remoteAddress: String?
    /// libcurl's error text when the transfer failed.
    public let transportMessage: String?
}
