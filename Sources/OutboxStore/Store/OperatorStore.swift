/// The operator's commands on the outbox, as one seam with two implementations:
/// ``OutboxDatabase`` (SQLite) and `PostgresStore` (module OutboxPostgres, issue #14):
/// `cancel`, `retry`, `purge`, `suppressions` and `bounces list`. Each requirement keeps
/// the meaning, the transaction and the events of the SQLite operation it is named after,
/// so the commands print the same on both stores.
public protocol OperatorStore: Sendable {
    /// Cancels a queued or deferred message (`.notFound`, `.invalidState` otherwise).
    func cancel(messageID: Int64, now: Int64) async throws -> OperationResult
    /// Cancels every queued or deferred message of a batch.
    func cancel(batchID: Int64, now: Int64) async throws -> OperationResult
    /// Makes a queued, deferred or failed message due now.
    func retry(messageID: Int64, now: Int64) async throws -> OperationResult
    /// Makes every queued, deferred or failed message of a batch due now.
    func retry(batchID: Int64, now: Int64) async throws -> OperationResult
    /// Deletes finished messages finished before `cutoff` in transactions of at most
    /// `chunk`, with their events; `progress` gets (done, total).
    func purge(finishedBefore cutoff: Int64, now: Int64, chunk: Int, progress: (_ done: Int, _ total: Int) -> Void) async throws -> OperationResult

    /// Suppressed addresses, newest first (active at `now`, or all with `includeExpired`).
    func suppressions(now: Int64, includeExpired: Bool) async throws -> [SuppressionRecord]
    /// Unsubscriptions from owners' letters, newest first.
    func unsubscriptions() async throws -> [SuppressionRecord]
    /// Suppresses `address` for good; false when it already was.
    func addSuppression(address: String, reason: String, now: Int64) async throws -> Bool
    /// Takes `address` off the list; false when it was not there.
    func removeSuppression(address: String, now: Int64) async throws -> Bool
    /// Takes back `address`'s unsubscription from `owner`'s letters; false when there was none.
    func removeUnsubscription(owner: String, address: String, now: Int64) async throws -> Bool

    /// Recorded bounces, newest first; with `beforeID`, only older ones.
    func bounces(limit: Int, beforeID: Int64?) async throws -> [BounceRecord]
}

extension OutboxDatabase: OperatorStore {}

extension SuppressionRecord {
    /// A row of another store's suppression list.
    package static func stored(address: String, reason: String, bounceReason: String?, eventID: Int64?, bounceID: Int64?, createdAt: Int64,
                               expiresAt: Int64?, scope: Scope, owner: String?) -> SuppressionRecord {
        SuppressionRecord(address: address, reason: reason, bounceReason: bounceReason, eventID: eventID, bounceID: bounceID, createdAt: createdAt,
                          expiresAt: expiresAt, scope: scope, owner: owner)
    }

    /// The suppression list's key for `address` (as SQLite stores it).
    package static func key(_ address: String) -> String { SuppressionAddress.normalise(address) }
}

extension BounceRecord {
    /// A row of another store's bounce log.
    package static func stored(id: Int64, receivedAt: Int64, source: String, size: Int, kind: String, format: String, messageID: Int64?,
                               matchedBy: String?, subject: String?, reasons: String?) -> BounceRecord {
        BounceRecord(id: id, receivedAt: receivedAt, source: source, size: size, kind: kind, format: format, messageID: messageID,
                     matchedBy: matchedBy, subject: subject, reasons: reasons)
    }
}

extension OperationResult {
    /// The result of another store's operator action.
    package static func counted(changed: Int, skipped: Int) -> OperationResult { OperationResult(changed: changed, skipped: skipped) }
}
