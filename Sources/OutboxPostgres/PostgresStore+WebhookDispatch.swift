import Foundation
public import OutboxStore
import PostgresNIO
import Synchronization

extension PostgresDeliveryStore: WebhookDispatchSource {
    /// This node's webhook side of the shared outbox.
    public func makeWebhookDispatchStore() -> any WebhookDispatchStore { PostgresWebhookDispatchStore(self) }
}

/// The webhook dispatcher's side of a PostgreSQL outbox several `serve` nodes share, one
/// per node (blocking calls from the dispatcher's threads, as ``PostgresDeliveryStore``).
///
/// - Scheduling: an endpoint's cursor is moved by one node at a time (its row is locked,
///   `SKIP LOCKED`: another node leaves it for this round), each delivery row is unique per
///   (endpoint, event). Event ids come from a sequence, so a transaction still open can
///   commit an event with an id below one already visible: the cursor stops before such a
///   gap until the gap is settled — every transaction that was open when it was seen has
///   ended (`pg_current_snapshot()`), so whatever fills it is visible or never will be.
///   Events after a gap get their deliveries at once all the same.
/// - Claiming: due deliveries are taken with `FOR UPDATE SKIP LOCKED` and leased by moving
///   their due time past the lease on the database clock; a node killed mid-delivery leaves
///   them due again when the lease ends, for any node (at-least-once).
public final class PostgresWebhookDispatchStore: WebhookDispatchStore {
    private let nodeStore: PostgresDeliveryStore
    private let vault: SecretVault
    /// Gaps in the event ids this node has seen, by first missing id.
    private let gaps = Mutex<[Int64: EventGap]>([:])

    public init(_ store: PostgresDeliveryStore, environment: [String: String] = ProcessInfo.processInfo.environment) {
        nodeStore = store
        vault = SecretVault(source: .resolve(sharedStoreEnvironment: environment))
    }

    public func hasWebhooks() throws -> Bool {
        try blocking { try await $0.hasWebhooks() }
    }

    public func webhookEndpointIDs() throws -> [Int64] {
        try blocking { try await $0.webhookEndpointIDs() }
    }

    public func scheduleWebhookDeliveries(now: Int64, limit: Int) throws -> (written: Int, more: Bool) {
        let at = nodeStore.databaseTime(now)
        let known = gaps.withLock { $0 }
        let (written, more, seen) = try blocking { try await $0.scheduleWebhookDeliveries(now: at, limit: limit, knownGaps: known) }
        gaps.withLock { $0 = seen }
        return (written, more)
    }

    public func claimDueWebhookDeliveries(endpointID: Int64, now: Int64, limit: Int, busy: Set<Int64>, lease: Duration) throws -> [WebhookDispatch] {
        let vault = vault, milliseconds = lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000
        return try blocking { try await $0.claimDueWebhookDeliveries(endpointID: endpointID, limit: limit, busy: busy, leaseMilliseconds: milliseconds, vault: vault) }
    }

    public func recordWebhookAttempt(deliveryID: Int64, at: Int64, status: Int?, latencyMilliseconds: Int64, error: String?, outcome: WebhookOutcome) throws {
        let time = nodeStore.databaseTime(at)
        let moved: WebhookOutcome = switch outcome {
        case .retry(let next): .retry(at: nodeStore.databaseTime(next))
        default: outcome
        }
        try blocking {
            try await $0.recordWebhookAttempt(deliveryID: deliveryID, at: time, status: status, latencyMilliseconds: latencyMilliseconds, error: error, outcome: moved)
        }
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        let store = nodeStore.store
        do {
            return try waitingOnThisThread { try await work(store) }
        } catch let error as PSQLError {
            throw StoreError(.ioError, "webhooks on the PostgreSQL outbox \(store.location): \(PostgresStore.describe(error))")
        }
    }
}

/// Event ids missing after an endpoint's cursor: `first..<end`, and the snapshot's `xmax`
/// (the first transaction id not yet started) once it was seen a second time. The gap is
/// settled when the oldest open transaction is at least that `xmax`. (The first sighting
/// only marks it: a transaction has taken its id from the sequence a moment before it has
/// a transaction id of its own.)
struct EventGap: Sendable, Hashable {
    let end: Int64
    var xmax: UInt64?
}

extension PostgresStore {
    func hasWebhooks() async throws -> Bool {
        var exists = false
        for try await _ in try await client.query("SELECT 1 FROM webhook_endpoint LIMIT 1", logger: logger).decode(Int.self) { exists = true }
        return exists
    }

    func webhookEndpointIDs() async throws -> [Int64] {
        var ids: [Int64] = []
        for try await id in try await client.query("SELECT id FROM webhook_endpoint ORDER BY id", logger: logger).decode(Int64.self) { ids.append(id) }
        return ids
    }

    /// As `OutboxDatabase.scheduleWebhookDeliveries`, safe on every node at once (see
    /// ``PostgresWebhookDispatchStore``); also returns the gaps seen, for the next round.
    func scheduleWebhookDeliveries(now: Int64, limit: Int, knownGaps: [Int64: EventGap]) async throws
        -> (written: Int, more: Bool, gaps: [Int64: EventGap])
    {
        let logger = logger
        return try await transaction { connection in
            let (oldestOpen, _) = try await Self.snapshot(connection, logger: logger)
            var written = 0, more = false, seen: [Int64: EventGap] = [:], sightings: [Int64] = []
            var endpoints: [(id: Int64, kinds: Set<String>, owner: String?, cursor: Int64)] = []
            for try await (id, events, owner, cursor) in try await connection.query("""
                SELECT id, events, owner, cursor FROM webhook_endpoint ORDER BY id FOR UPDATE SKIP LOCKED
                """, logger: logger).decode((Int64, String, String?, Int64).self) {
                endpoints.append((id, Set(events.split(separator: ",").map(String.init)), owner, cursor))
            }
            for endpoint in endpoints {
                var events: [(id: Int64, kind: String, owner: String?)] = []
                for try await event in try await connection.query("""
                    SELECT id, kind, owner FROM event WHERE id > \(endpoint.cursor) ORDER BY id LIMIT \(limit)
                    """, logger: logger).decode((Int64, String, String?).self) { events.append(event) }
                var settled = endpoint.cursor, expected = endpoint.cursor + 1, blocked = false
                var wanted: [Int64] = []
                for event in events {
                    if !blocked, event.id > expected {
                        if let gap = knownGaps[expected], gap.end == event.id, let xmax = gap.xmax, oldestOpen >= xmax {
                            // Settled: whatever would fill it is visible by now, or never will be.
                        } else {
                            blocked = true
                            seen[expected] = knownGaps[expected].flatMap { $0.end == event.id ? $0 : nil } ?? EventGap(end: event.id, xmax: nil)
                            if knownGaps[expected]?.end == event.id { sightings.append(expected) }
                        }
                    }
                    if !blocked { settled = event.id }
                    expected = event.id + 1
                    if endpoint.kinds.contains(event.kind) && (endpoint.owner == nil || endpoint.owner == event.owner) { wanted.append(event.id) }
                }
                if !wanted.isEmpty {
                    for try await inserted in try await connection.query("""
                        INSERT INTO webhook_delivery (endpoint_id, event_id, next_attempt_at, created_at)
                        SELECT \(endpoint.id), unnest(\(wanted)::bigint[]), \(now), \(now)
                        ON CONFLICT (endpoint_id, event_id) DO NOTHING
                        RETURNING 1
                        """, logger: logger).decode(Int.self) { written += inserted }
                }
                more = more || (events.count == limit && !blocked)
                if settled > endpoint.cursor {
                    try await connection.query("UPDATE webhook_endpoint SET cursor = \(settled) WHERE id = \(endpoint.id)", logger: logger)
                }
            }
            if !sightings.isEmpty {
                // Taken after the events were read: every transaction open while they were is below it.
                let (_, xmax) = try await Self.snapshot(connection, logger: logger)
                for first in sightings where seen[first]?.xmax == nil { seen[first]?.xmax = xmax }
            }
            return (written, more, seen)
        }
    }

    /// The oldest transaction still open and the first not yet started (`pg_current_snapshot()`).
    private static func snapshot(_ connection: PostgresConnection, logger: Logger) async throws -> (xmin: UInt64, xmax: UInt64) {
        var result: (UInt64, UInt64) = (0, 0)
        for try await (xmin, xmax) in try await connection.query("""
            SELECT pg_snapshot_xmin(s)::text, pg_snapshot_xmax(s)::text FROM pg_current_snapshot() s
            """, logger: logger).decode((String, String).self) {
            result = (UInt64(xmin) ?? 0, UInt64(xmax) ?? .max)
        }
        return result
    }

    /// Up to `limit` of `endpointID`'s pending deliveries due on the database clock (not in
    /// `busy`), oldest due first, leased for `leaseMilliseconds` from now on that clock.
    func claimDueWebhookDeliveries(endpointID: Int64, limit: Int, busy: Set<Int64>, leaseMilliseconds: Int64, vault: SecretVault?) async throws
        -> [WebhookDispatch]
    {
        let logger = logger
        return try await transaction { connection in
            var claimed: [(id: Int64, attempts: Int, createdAt: Int64, eventID: Int64, due: Int64)] = []
            for try await row in try await connection.query("""
                WITH due AS (
                    SELECT id, next_attempt_at FROM webhook_delivery
                    WHERE endpoint_id = \(endpointID) AND state = 'pending' AND next_attempt_at <= outbox_clock_ms() AND id <> ALL(\(Array(busy)))
                    ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                UPDATE webhook_delivery d SET next_attempt_at = outbox_clock_ms() + \(leaseMilliseconds) FROM due WHERE d.id = due.id
                RETURNING d.id, d.attempts, d.created_at, d.event_id, due.next_attempt_at
                """, logger: logger).decode((Int64, Int, Int64, Int64, Int64).self) { claimed.append(row) }
            guard !claimed.isEmpty else { return [] }
            claimed.sort { ($0.due, $0.id) < ($1.due, $1.id) }
            var endpoint: (url: String, allowsPlainHTTP: Bool, sealed: Data)?
            for try await row in try await connection.query("""
                SELECT url, allow_http <> 0, secret_sealed FROM webhook_endpoint WHERE id = \(endpointID)
                """, logger: logger).decode((String, Bool, Data).self) { endpoint = row }
            guard let endpoint else { return [] }
            var events: [Int64: WebhookEvent] = [:]
            for try await row in try await connection.query("""
                SELECT e.id, e.kind, e.at, e.message_id, m.message_key, b.batch_key, e.owner, e.recipient, e.reason, e.code, e.enhanced_code, e.detail
                FROM event e LEFT JOIN message m ON m.id = e.message_id LEFT JOIN batch b ON b.id = e.batch_id
                WHERE e.id = ANY(\(claimed.map(\.eventID)))
                """, logger: logger).decode((Int64, String, Int64, Int64?, String?, String?, String?, String?, String?, Int?, String?, String?).self) {
                events[row.0] = WebhookEvent(id: row.0, kind: row.1, at: row.2, messageId: row.3, messageKey: row.4, batchKey: row.5, owner: row.6,
                                             recipient: row.7, reason: row.8, code: row.9, enhancedCode: row.10, detail: row.11)
            }
            return claimed.map {
                WebhookDispatch(deliveryID: $0.id, endpointID: endpointID, url: endpoint.url, allowsPlainHTTP: endpoint.allowsPlainHTTP,
                                sealedSecret: Array(endpoint.sealed), vault: vault, attempts: $0.attempts, createdAt: $0.createdAt, event: events[$0.eventID])
            }
        }
    }

    /// As on SQLite, except that a delivery another node finished meanwhile (it took the
    /// delivery over when this node's lease ended) keeps its state; the attempt is recorded.
    func recordWebhookAttempt(deliveryID: Int64, at: Int64, status: Int?, latencyMilliseconds: Int64, error: String?, outcome: WebhookOutcome) async throws {
        let logger = logger
        let (state, next, finished): (String, Int64?, Int64?) = switch outcome {
        case .delivered: ("delivered", nil, at)
        case .retry(let next): ("pending", next, nil)
        case .failed: ("failed", nil, at)
        }
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO webhook_attempt (delivery_id, at, status, latency_ms, error)
                SELECT id, \(at), \(status), \(latencyMilliseconds), \(error) FROM webhook_delivery WHERE id = \(deliveryID)
                """, logger: logger)
            try await connection.query("""
                UPDATE webhook_delivery SET state = \(state), attempts = attempts + 1, next_attempt_at = coalesce(\(next), next_attempt_at),
                    last_status = \(status), last_error = \(error), finished_at = \(finished)
                WHERE id = \(deliveryID) AND state = 'pending'
                """, logger: logger)
        }
    }
}
