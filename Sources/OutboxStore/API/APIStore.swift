import Foundation
import OutboxCore

/// What the HTTP listener of `outbox serve` (module OutboxHTTP) needs from the outbox, as
/// one seam with two implementations: ``OutboxDatabase`` (SQLite) and `PostgresStore`
/// (module OutboxPostgres, issue #14), so any node of a shared PostgreSQL outbox can serve
/// the API. Each requirement keeps the meaning, transaction and events of the SQLite
/// operation it is named after, so both stores answer the same.
///
/// Requirements are `async` so a network store can implement them; ``OutboxDatabase``
/// witnesses them synchronously (the listener runs those calls off its event loops).
public protocol APIStore: Sendable {
    /// True when several nodes write the store: an event may become visible a moment after
    /// one with a higher id (ids are drawn before commit), and other nodes' events are
    /// seen only by reading the log.
    var isShared: Bool { get }

    /// The live token whose SHA-256 matches `token`, or nil (`Authorization: Bearer`).
    func authenticateAPIToken(_ token: String) async throws -> APITokenRecord?
    /// Reads the batch in `bytes` as `input` says and enqueues it atomically (`POST /v1/batches`).
    func enqueue(_ input: BatchInput, bytes: [UInt8], now: Int64) async throws -> EnqueueResult
    /// Stores `bytes` as a content a later batch names by reference (`POST /v1/attachments`).
    func storeContent(_ bytes: [UInt8]) async throws -> StoredContentReference
    /// The id of the message with the application's key `key`, or nil.
    func messageID(key: String) async throws -> Int64?
    /// The batch with idempotency key `key` and its messages' states (of `owners` when given), or nil.
    func batch(key: String, owners: [String]?) async throws -> BatchSummary?
    /// One message with recipients, attachments and events; ``StoreError/Code/notFound`` if none.
    func message(id: Int64) async throws -> MessageDetail
    /// Events matching `filter`, in id order.
    func events(_ filter: EventFilter) async throws -> [EventRecord]
    /// The id of the newest event (0 when there is none).
    func lastEventID() async throws -> Int64
    /// As ``OperatorStore/cancel(messageID:now:)``.
    func cancel(messageID: Int64, now: Int64) async throws -> OperationResult
    /// As ``OperatorStore/retry(messageID:now:expiry:)``.
    func retry(messageID: Int64, now: Int64, expiry: RetryExpiry) async throws -> OperationResult
    /// Counts by owner and state, the oldest queued message and the last event.
    func status() async throws -> OutboxStatus
    /// Active owners, holds in force at `now`, the longest-due message and what waits.
    func queueHealth(now: Int64) async throws -> QueueHealth
    /// Outcome events since `since` per minute and by reason, and the newest `failureLimit` failures (the status page).
    func outcomeOverview(since: Int64, failureLimit: Int) async throws -> OutcomeOverview
    /// When each of these messages was enqueued, by id; purged ones are absent (`/metrics` latency).
    func enqueueTimes(messageIDs: [Int64]) async throws -> [Int64: Int64]
    /// Records an unsubscribe request for a letter's token (one-click `POST /u/{token}`);
    /// an unknown token is an outcome, not an error.
    func unsubscribe(token: String, source: UnsubscribeSource, now: Int64) async throws -> UnsubscribeResult

    /// Why the store cannot be reached right now (``StoreError/Code/unreachable``), or nil when it
    /// can or cannot be out of reach (a local file): the listener asks while a request waits on the store.
    func unreachability() async -> StoreError?
    /// `error` as a ``StoreError/Code/unreachable`` when it says the store could not be reached, else nil.
    func unreachability(of error: any Error) -> StoreError?
}

extension APIStore {
    /// A local file is never out of reach (a locked one is ``StoreError/Code/busy``).
    public func unreachability() async -> StoreError? { nil }
    public func unreachability(of error: any Error) -> StoreError? { nil }
}

/// The application tokens of the HTTP API (`outbox api-token`), on either store: stored as
/// their SHA-256 only, the token itself returned once by ``createAPIToken(name:owners:now:)``.
public protocol APITokenStore: Sendable {
    /// Creates a token for application `name`, limited to `owners` when given (nil: every
    /// owner); refused while a live token has that name.
    func createAPIToken(name: String, owners: [String]?, now: Int64) async throws -> (token: String, record: APITokenRecord)
    /// Every token, newest first, revoked ones included.
    func apiTokens() async throws -> [APITokenRecord]
    /// Revokes the live token named `name`; ``StoreError/Code/notFound`` when there is none.
    func revokeAPIToken(name: String, now: Int64) async throws
}

extension OutboxDatabase: APIStore, APITokenStore {
    /// ``APIStore`` enqueue: ``BatchInput/enqueue(bytes:into:now:)`` (JSON Lines streamed into the writer).
    public func enqueue(_ input: BatchInput, bytes: [UInt8], now: Int64) throws -> EnqueueResult {
        try input.enqueue(bytes: bytes, into: self, now: now)
    }
}

/// How API tokens are made, checked and kept, the same on every store.
package enum APITokens {
    /// Prefix of every token, so a leaked one is recognisable in a secret scanner.
    package static let prefix = "obx_"

    /// Refuses a name or owner limit that cannot be stored (before anything is written).
    package static func validate(name: String, owners: [String]?) throws {
        guard !name.isEmpty, name.utf8.count <= 100, !name.contains(where: \.isNewline) else {
            throw StoreError(.invalidState, "a token name must be 1 to 100 characters on one line")
        }
        if let owners, owners.isEmpty || owners.contains(where: \.isEmpty) {
            throw StoreError(.invalidState, "an owner limit needs at least one non-empty owner")
        }
    }

    /// A new token: the prefix and 256 random bits in hex.
    package static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + (0..<4).map { _ in generator.next() as UInt64 }.map { hex in
            let text = String(hex, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }

    /// What is stored instead of the token: its SHA-256 in hex.
    package static func hash(_ token: String) -> String { SHA256.hex(of: Array(token.utf8)) }

    /// Whether `token` can be one of ours at all (checked before any lookup).
    package static func isPlausible(_ token: String) -> Bool { token.hasPrefix(prefix) && token.utf8.count < 200 }

    /// The owner limit as stored: a JSON array, sorted; nil for every owner.
    package static func ownersColumn(_ owners: [String]?) throws -> String? {
        try owners.map { String(decoding: try JSONEncoder().encode($0.sorted()), as: UTF8.self) }
    }

    /// The refusal of a second live token with the same name.
    package static func nameTaken(_ name: String) -> StoreError {
        StoreError(.invalidState, "a token named '\(name)' exists; revoke it first or choose another name")
    }

    /// The refusal to revoke a name with no live token.
    package static func noLiveToken(_ name: String) -> StoreError { StoreError(.notFound, "no live API token named '\(name)'") }
}
