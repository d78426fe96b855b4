public import OutboxCore

/// The bounce doors' store, as one seam with two implementations: ``OutboxDatabase``
/// (SQLite) and `PostgresBounceStore` (module OutboxPostgres, issue #14). Recording goes
/// through ``BounceLedger`` on both, so matching, events, suppressions, sender problems
/// and the duplicate check are the same. Synchronous: called from `outbox bounces …`
/// and from the mailbox poller's thread, never from Swift's concurrency pool.
public protocol BounceStore: Sendable {
    /// Records each of `messages` in one transaction (see
    /// ``OutboxDatabase/ingestBounces(_:now:policy:parser:envelopeRecipient:)``).
    func ingestBounces(_ messages: [(raw: [UInt8], source: String)], now: Int64, policy: BounceSuppressionPolicy?, parser: BounceParser,
                       envelopeRecipient: String?) throws -> [BounceIngestResult]
    /// Records one message (see ``OutboxDatabase/ingestBounce(raw:source:now:policy:parser:)``).
    func ingestBounce(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy?, parser: BounceParser) throws -> BounceIngestResult
    /// Records a message of the owner's own inbox only when it is about Outbox's mail; nil otherwise.
    func ingestOwnMailboxMessage(raw: [UInt8], source: String, now: Int64, policy: BounceSuppressionPolicy?,
                                 parser: BounceParser) throws -> BounceIngestResult?
    /// The raw bytes of a recorded bounce, or nil when there is no such row.
    func bounceRaw(id: Int64) throws -> [UInt8]?
    /// Sender problems, of one owner or all, most recent first.
    func senderProblems(owner: String?) throws -> [SenderProblemRecord]

    /// The right to poll the mailbox named `mailbox` (its URL without credentials) as
    /// this node. On a store several nodes share, one node at a time holds each mailbox,
    /// until it releases it or dies. The single-node SQLite outbox always holds it.
    func mailboxClaim(_ mailbox: String) -> any MailboxClaim
}

/// One node's claim on a bounce mailbox (``BounceStore/mailboxClaim(_:)``), kept by its poller.
public protocol MailboxClaim: Sendable {
    /// Whether this node holds the mailbox now, taking it when no node does. A holder whose
    /// hold was lost (its database session ended) finds out here and tries to take it again.
    func hold() -> Bool
    /// Lets another node take the mailbox.
    func release()
}

extension OutboxDatabase: BounceStore {
    /// One SQLite outbox is one node: its poller never waits for another.
    public func mailboxClaim(_ mailbox: String) -> any MailboxClaim { SoleNodeClaim() }
}

/// The claim of the only node there is.
struct SoleNodeClaim: MailboxClaim {
    func hold() -> Bool { true }
    func release() {}
}
