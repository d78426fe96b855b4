/// Everything one delivery attempt produced: the verdict, each recipient's reply, the
/// server's replies in order and how the transport ended. Contains no credentials and
/// no message data.
public struct DeliveryReport: Hashable, Sendable {
    public let outcome: DeliveryOutcome
    /// One entry per envelope recipient, in envelope order.
    public let recipients: [RecipientResult]
    /// Every server reply of the attempt, in order.
    public let replies: [SMTPReply]
    public let transport: TransportResult
    /// True when the attempt ran over a connection kept from an earlier message.
    public let reusedConnection: Bool

    public init(
        outcome: DeliveryOutcome, recipients: [RecipientResult], replies: [SMTPReply],
        transport: TransportResult, reusedConnection: Bool
    ) {
        self.outcome = outcome
        self.recipients = recipients
        self.replies = replies
        self.transport = transport
        self.reusedConnection = reusedConnection
    }
}
