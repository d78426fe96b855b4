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
    /// A recipient unsubscribed from the owner's letters (mail to `unsubscribe+TOKEN@`, or the one-click URL).
    case unsubscribed
    /// An unsubscribe request that changed nothing: unknown or malformed token, or already unsubscribed.
    case unsubscribeIgnored = "unsubscribe-ignored"
}
