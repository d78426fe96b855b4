/// What an event in the append-only event log records.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    /// A batch went into the outbox (one event per batch, with the message count).
    case enqueued
    /// An enqueue with an already known batch key changed nothing.
    case duplicateBatch = "duplicate-batch"
    case attempt, sent, deferred, failed, expired
    case cancelled, retried, purged
    case profileHeld = "profile-held"
    case bounced, delayed, suppressed
    /// A sent message was appended to the profile's IMAP folder (after the `sent` event).
    case sentCopied = "sent-copied"
    /// The copy in the IMAP folder could not be made (after retries); the mail itself was sent.
    case sentCopyFailed = "sent-copy-failed"
    /// The connection broke after the whole message was sent, before the server's reply:
    /// the message may have been delivered. It is parked until resolved, never resent blindly.
    case unknown
    /// An unknown outcome was looked for in the owner's Sent folder (found or not, or the
    /// look failed), or its wait ran out: what happens next is in the detail.
    case unknownChecked = "unknown-checked"
    /// An operator resolved an unknown outcome (`outbox resolve ID --sent|--resend`).
    case resolved
    /// A profile's sending pace changed: slowed after a "too fast" reply, or ramped back up.
    case paced
    /// A recipient unsubscribed from the owner's letters (mail to `unsubscribe+TOKEN@`, or the one-click URL).
    case unsubscribed
    /// An unsubscribe request that changed nothing: unknown or malformed token, or already unsubscribed.
    case unsubscribeIgnored = "unsubscribe-ignored"
}
