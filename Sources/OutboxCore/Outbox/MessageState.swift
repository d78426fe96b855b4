/// Where a message is in its life.
///
/// ```
/// queued ──claim──▶ sending ──2xx──▶ sent
///   ▲                  │ 4xx/timeout ─▶ deferred ──due──▶ sending …
///   │                  │ 5xx / expired ─▶ failed
///   └──── retry ───────┘ (lease expired: back to queued)
/// queued | deferred ──operator──▶ cancelled
/// ```
/// A message leaves the outbox only as `sent`, `failed` or `cancelled`.
public enum MessageState: String, Sendable, Codable, CaseIterable {
    case queued, sending, sent, deferred, failed, cancelled

    /// Final states: nothing more happens to the message unless an operator retries a failed one.
    public var isFinished: Bool {
        switch self {
        case .sent, .failed, .cancelled: true
        case .queued, .sending, .deferred: false
        }
    }

    /// States an operator may cancel from.
    public var isCancellable: Bool { self == .queued || self == .deferred }

    /// States an operator may make due again with `retry`.
    public var isRetryable: Bool { self == .queued || self == .deferred || self == .failed }
}

/// The delivery state of one recipient of a message.
public enum RecipientState: String, Sendable, Codable, CaseIterable {
    case pending, sent, deferred, failed, bounced, suppressed
}
