import Foundation
import OutboxCore
import OutboxStore

/// The SQLite outbox as the listener's ``OutboxStore/APIStore``: each call runs
/// ``OutboxDatabase``'s synchronous operation on a dispatch thread (never on an event
/// loop), exactly one hop as before the seam. A network store (PostgreSQL) is awaited directly.
struct OffloadedDatabase: APIStore {
    let database: OutboxDatabase

    var isShared: Bool { false }

    func authenticateAPIToken(_ token: String) async throws -> APITokenRecord? {
        try await offloaded { [database] in try database.authenticateAPIToken(token) }
    }

    func enqueue(_ input: BatchInput, bytes: [UInt8], now: Int64) async throws -> EnqueueResult {
        try await offloaded { [database] in try database.enqueue(input, bytes: bytes, now: now) }
    }

    func storeContent(_ bytes: [UInt8]) async throws -> StoredContentReference {
        try await offloaded { [database] in try database.storeContent(bytes) }
    }

    func messageID(key: String) async throws -> Int64? {
        try await offloaded { [database] in try database.messageID(key: key) }
    }

    func batch(key: String, owners: [String]?) async throws -> BatchSummary? {
        try await offloaded { [database] in try database.batch(key: key, owners: owners) }
    }

    func message(id: Int64) async throws -> MessageDetail {
        try await offloaded { [database] in try database.message(id: id) }
    }

    func events(_ filter: EventFilter) async throws -> [EventRecord] {
        try await offloaded { [database] in try database.events(filter) }
    }

    func lastEventID() async throws -> Int64 {
        try await offloaded { [database] in try database.lastEventID() }
    }

    func cancel(messageID: Int64, now: Int64) async throws -> OperationResult {
        try await offloaded { [database] in try database.cancel(messageID: messageID, now: now) }
    }

    func retry(messageID: Int64, now: Int64, expiry: RetryExpiry) async throws -> OperationResult {
        try await offloaded { [database] in try database.retry(messageID: messageID, now: now, expiry: expiry) }
    }

    func status() async throws -> OutboxStatus {
        try await offloaded { [database] in try database.status() }
    }

    func queueHealth(now: Int64) async throws -> QueueHealth {
        try await offloaded { [database] in try database.queueHealth(now: now) }
    }

    func outcomeOverview(since: Int64, failureLimit: Int) async throws -> OutcomeOverview {
        try await offloaded { [database] in try database.outcomeOverview(since: since, failureLimit: failureLimit) }
    }

    func enqueueTimes(messageIDs: [Int64]) async throws -> [Int64: Int64] {
        try await offloaded { [database] in try database.enqueueTimes(messageIDs: messageIDs) }
    }

    func unsubscribe(token: String, source: UnsubscribeSource, now: Int64) async throws -> UnsubscribeResult {
        try await offloaded { [database] in try database.unsubscribe(token: token, source: source, now: now) }
    }
}

extension APIStore {
    /// The message, or nil when there is none (``OutboxStore/StoreError/Code/notFound``).
    func messageIfAny(id: Int64) async throws -> MessageDetail? {
        do { return try await message(id: id) } catch let error as StoreError where error.code == .notFound { return nil }
    }
}
