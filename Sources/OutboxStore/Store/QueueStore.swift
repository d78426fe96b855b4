public import OutboxCore

/// The store operations the delivery path and the inspection commands need, as one seam
/// with two implementations: ``OutboxDatabase`` (SQLite, the default and the fast path)
/// and `PostgresStore` (module OutboxPostgres, issue #14). Not a generic data layer: each
/// requirement is one operation with its transaction boundary and its meaning fixed here,
/// and both stores pass the same contract tests.
///
/// Behind the seam (phase 1): enqueue a batch, claim due messages under a lease owned by
/// a node id, record outcomes with their events, renew/release/reclaim leases, and the
/// reads of `status`, `list`, `show` and `events`.
///
/// Not yet behind it (still ``OutboxDatabase`` only): the pipelined streaming enqueue,
/// profiles and secrets writes, holds and rate pauses, send pace, sent-header copies,
/// unknown-outcome parking, bounces, suppressions, unsubscribe, cancel/retry/purge, API
/// tokens, DKIM keys and the change watcher that wakes `serve`.
///
/// Times are Unix milliseconds, as everywhere in the store. Requirements are `async` so
/// a network store can implement them; ``OutboxDatabase`` witnesses them synchronously.
public protocol QueueStore: Sendable {
    /// Enqueues one batch atomically: all of `messages` or — when anything is refused —
    /// none. A known `batchKey` writes nothing and returns the existing batch
    /// (`duplicateBatch`); a message whose key is already stored from an earlier batch is
    /// skipped (`duplicates`), the same key twice in one batch is refused. Attachment files
    /// are read only inside `attachments`' roots.
    func enqueue(batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, messages: [BatchEntry]) async throws -> EnqueueResult

    /// Leases up to `limit` messages due by `dueBy` to `leaseOwner` until `leaseUntil`,
    /// highest priority first, then the longest due; no message is leased to two owners.
    func claimBatch(leaseOwner: String, limit: Int, now: Int64, dueBy: Int64, leaseUntil: Int64) async throws -> ClaimedBatch

    /// Records attempts of messages leased to `leaseOwner`, each with its recipients'
    /// results and its `attempt` and outcome events in the same transaction. Per entry:
    /// false when the message is no longer leased to `leaseOwner` (nothing changed).
    func record(_ entries: [PendingRecord], leaseOwner: String, now: Int64) async throws -> [Bool]

    /// Extends every lease `leaseOwner` holds to `until`.
    func renewLeases(leaseOwner: String, until: Int64) async throws

    /// Gives leased messages back to the queue without counting an attempt (all of
    /// `leaseOwner`'s with `messageIDs` nil). Returns how many.
    @discardableResult
    func release(leaseOwner: String, messageIDs: [Int64]?, now: Int64) async throws -> Int

    /// Puts messages whose lease expired, or whose owner `isGone`, back to `queued` with a
    /// `retried` event each. Returns their ids.
    @discardableResult
    func reclaimLeases(now: Int64, isGone: (String) -> Bool) async throws -> [Int64]

    /// Counts by owner and state, the oldest queued message and the last event (`status`).
    func status() async throws -> OutboxStatus
    /// Messages matching `filter`, in id order (`list`).
    func messages(_ filter: MessageFilter) async throws -> [MessageSummary]
    /// One message with recipients, attachments and events (`show`); ``StoreError/Code/notFound`` if none.
    func message(id: Int64) async throws -> MessageDetail
    /// Events matching `filter`, in id order (`events`).
    func events(_ filter: EventFilter) async throws -> [EventRecord]
}

/// One message of a batch given to ``QueueStore/enqueue(batchKey:source:now:attachments:messages:)``.
public struct BatchEntry: Sendable {
    public let draft: MessageDraft
    /// Names the message in errors, e.g. `batch.jsonl line 7`.
    public let location: String

    public init(_ draft: MessageDraft, location: String) {
        self.draft = draft
        self.location = location
    }
}

extension OutboxDatabase: QueueStore {
    /// ``QueueStore`` enqueue: ``enqueue(batchKey:source:now:attachments:limits:_:)`` over a list.
    public func enqueue(batchKey: String?, source: String?, now: Int64, attachments: AttachmentPolicy, messages: [BatchEntry]) throws -> EnqueueResult {
        try enqueue(batchKey: batchKey, source: source, now: now, attachments: attachments) { writer in
            for entry in messages { try writer.add(entry.draft, location: entry.location) }
        }
    }
}
