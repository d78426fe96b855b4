/// The retry policy's verdict on a deferred message.
public enum RetryDecision: Hashable, Sendable {
    /// Try again at this time (Unix milliseconds).
    case retry(at: Int64)
    /// The message is too old: fail it as expired with its last reason.
    case giveUp
}
