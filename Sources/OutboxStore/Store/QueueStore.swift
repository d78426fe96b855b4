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
/// The delivery engine uses the synchronous ``DeliveryStore`` (phase 2): claims, outcomes,
/// leases, the next wake time, profile layers, holds and rate pauses, and the change
/// notifications that wake `serve`, and the DKIM keys it signs with.
///
/// Not yet behind either (still ``OutboxDatabase`` only): the pipelined streaming enqueue,
/// profiles and secrets writes, send pace, sent copies, bounces, suppressions, unsubscribe,
/// cancel/retry/purge and API tokens. (`PostgresStore` has DKIM keys, unknown outcomes and
/// sent headers as operations of its own, used by the commands.)
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

/// What the delivery engine needs from its store, synchronously: the engine's workers and
/// its commit thread are dedicated threads, so a network store may block them on its own
/// I/O (never a thread of Swift's cooperative pool or an event loop). ``OutboxDatabase``
/// witnesses it directly — the SQLite path has no extra hop — and `PostgresDeliveryStore`
/// (module OutboxPostgres) bridges `PostgresStore` onto it.
///
/// Times are Unix milliseconds of the caller's clock; a store shared by several nodes
/// translates them to one clock of its own (the database server's), so leases do not depend
/// on the nodes' clocks agreeing.
public protocol DeliveryStore: AnyObject, Sendable {
    /// Where the store is, for logs (a file path or a `postgres://` URL without password).
    var displayName: String { get }
    /// True when other nodes may claim from the same queue: the engine then takes over
    /// expired leases while it runs, not only at start.
    var isShared: Bool { get }

    /// As ``QueueStore/claimBatch(leaseOwner:limit:now:dueBy:leaseUntil:)``; also skips
    /// owners that are held or paused for a rate limit.
    func claimBatch(leaseOwner: String, limit: Int, now: Int64, dueBy: Int64, leaseUntil: Int64) throws -> ClaimedBatch
    /// As ``QueueStore/record(_:leaseOwner:now:)``.
    func record(_ entries: [PendingRecord], leaseOwner: String, now: Int64) throws -> [Bool]
    /// As ``QueueStore/renewLeases(leaseOwner:until:)``.
    func renewLeases(leaseOwner: String, until: Int64) throws
    /// As ``QueueStore/release(leaseOwner:messageIDs:now:)``.
    @discardableResult
    func release(leaseOwner: String, messageIDs: [Int64]?, now: Int64) throws -> Int
    /// As ``QueueStore/reclaimLeases(now:isGone:)``.
    @discardableResult
    func reclaimLeases(now: Int64, isGone: (String) -> Bool) throws -> [Int64]
    /// The earliest time something may become claimable without a database change (a
    /// message falling due, a pause ending, another node's lease expiring); nil when nothing waits.
    func nextWakeTime() throws -> Int64?
    /// The owner's profile layer and the company layer, read in one snapshot.
    func profileLayers(owner: String) throws -> (own: ProfileFields?, global: ProfileFields?)
    /// Holds `owner` after an authentication or configuration problem met while sending
    /// `messageID` (which goes back to `queued`, no attempt counted); one `profile-held`
    /// event when the hold begins. Returns whether a new hold began. Seen by every node.
    @discardableResult
    func hold(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, code: Int?, enhancedCode: String?, now: Int64) throws -> Bool
    /// Puts `messageID` back to `queued` and claims none of `owner`'s messages before `until`.
    func pauseForRateLimit(owner: String, messageID: Int64, leaseOwner: String, until: Int64, reason: String, now: Int64) throws
    /// Lifts the holds caused by the daemon's configuration (start, reload); returns their owners.
    @discardableResult
    func liftConfigurationHolds() throws -> [String]
    /// Counts by owner and state (`STATUS=`).
    func status() throws -> OutboxStatus
    /// Calls `onChange` (on a thread or task of the store's) soon after another connection
    /// or node commits work that may be claimable, until the returned watch is stopped.
    func watchChanges(pollInterval: Int64, _ onChange: @escaping @Sendable () -> Void) throws -> any ChangeWatch
    /// Closes the store; later calls fail.
    func close() throws
    /// Where connection caps and rate limits are counted when several nodes share the
    /// store; nil counts them in each process (``LocalConnectionSlots``, ``LocalSendRates``).
    var sendLimits: (any SendLimitLedger)? { get }
    /// The DKIM keys that sign mail from `domain` (the oldest of each algorithm, RSA first),
    /// opened for signing; empty when it has none. Throws ``OutboxCore/DKIMError`` when a key
    /// cannot be opened or read (the message's profile is held, never sent unsigned).
    func dkimSigningKeys(domain: String) throws -> [DKIMSigningKey]
}

/// A running ``DeliveryStore/watchChanges(pollInterval:_:)``.
public protocol ChangeWatch: Sendable {
    /// Ends the watch; returns once `onChange` is no longer called and its resources are closed.
    func stop()
}

extension OutboxDatabase: DeliveryStore {
    public var displayName: String { path }
    /// One SQLite file is one host's: leases of other processes are reclaimed at start.
    public var isShared: Bool { false }
    /// One node: limits are counted in its memory and `sent` events.
    public var sendLimits: (any SendLimitLedger)? { nil }

    /// `PRAGMA data_version` looked at every `pollInterval` ms on a thread of its own.
    public func watchChanges(pollInterval: Int64, _ onChange: @escaping @Sendable () -> Void) throws -> any ChangeWatch {
        try DataVersionWatch(path: path, interval: pollInterval, onChange: onChange)
    }
}
