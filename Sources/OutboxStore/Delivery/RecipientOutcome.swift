public import OutboxCore

/// What one attempt did for one recipient, to be recorded on its row.
public struct RecipientOutcome: Hashable, Sendable {
    public let address: String
    public let state: RecipientState
    public let code: Int?
    public let reply: String?

    public init(address: String, state: RecipientState, code: Int?, reply: String?) {
        self.address = address
        self.state = state
        self.code = code
        self.reply = reply
    }
}
