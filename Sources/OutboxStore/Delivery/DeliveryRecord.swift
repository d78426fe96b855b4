public import OutboxCore

/// The outcome of one delivery attempt of one message, as the store records it.
public struct DeliveryRecord: Hashable, Sendable {
    /// What becomes of the message.
    public enum Verdict: Hashable, Sendable {
        /// Accepted: the message is finished as `sent`.
        case sent
        /// Try again at this time (Unix milliseconds); the message is `deferred`.
        case deferred(nextAttemptAt: Int64)
        /// Refused for good: `failed`.
        case failed
        /// Deferred too long: `failed`, with an `expired` event.
        case expired
        /// The connection broke after the final "." and before the reply: the message stays
        /// `deferred`, parked (never claimed) until the first step of `plan` resolves it,
        /// with an `unknown` event. With `plan.action == .resend` it is due at `plan.dueAt`.
        case unknown(UnknownPlan)
    }

    /// The first step for an unknown outcome, and the Message-ID to look for.
    public struct UnknownPlan: Hashable, Sendable {
        public let action: UnknownOutcome.Action
        public let dueAt: Int64?
        public let headerMessageID: String?

        public init(action: UnknownOutcome.Action, dueAt: Int64?, headerMessageID: String?) {
            self.action = action
            self.dueAt = dueAt
            self.headerMessageID = headerMessageID
        }
    }

    public let verdict: Verdict
    /// The SMTP reply code that decided, if any.
    public let code: Int?
    public let enhancedCode: String?
    /// What happened, for operators (never contains credentials).
    public let text: String
    public let recipients: [RecipientOutcome]
    /// For `sent`: the message as sent, kept for `outbox show ID --eml`.
    public var sentHeader: SentHeader?

    public init(verdict: Verdict, code: Int? = nil, enhancedCode: String? = nil, text: String, recipients: [RecipientOutcome] = []) {
        self.verdict = verdict
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
        self.recipients = recipients
    }

    /// This record with the times the engine stamped on its own clock (a retry's time, an
    /// unknown outcome's due time) moved by `offset` milliseconds, onto a shared store's clock.
    package func shifted(by offset: Int64) -> DeliveryRecord {
        let moved: Verdict
        switch verdict {
        case .deferred(let next) where offset != 0: moved = .deferred(nextAttemptAt: next + offset)
        case .unknown(let plan) where offset != 0 && plan.dueAt != nil:
            moved = .unknown(UnknownPlan(action: plan.action, dueAt: plan.dueAt.map { $0 + offset }, headerMessageID: plan.headerMessageID))
        default: return self
        }
        var record = DeliveryRecord(verdict: moved, code: code, enhancedCode: enhancedCode, text: text, recipients: recipients)
        record.sentHeader = sentHeader
        return record
    }

    /// What the outcome does to the message at `now`, in every store: its new state, its
    /// next attempt time (nil: unchanged) and its finish time (nil: not finished). An unknown
    /// outcome stays deferred, parked until its plan resolves it.
    package func messageChange(now: Int64) -> (state: MessageState, nextAttemptAt: Int64?, finishedAt: Int64?) {
        switch verdict {
        case .sent: (.sent, nil, now)
        case .deferred(let at): (.deferred, at, nil)
        case .failed, .expired: (.failed, nil, now)
        case .unknown(let plan): (.deferred, plan.action == .resend ? (plan.dueAt ?? now) : OutboxDatabase.parkedUntil, nil)
        }
    }

    /// The outcome event kind.
    public var eventKind: EventKind {
        switch verdict {
        case .sent: .sent
        case .deferred: .deferred
        case .failed: .failed
        case .expired: .expired
        case .unknown: .unknown
        }
    }
}
