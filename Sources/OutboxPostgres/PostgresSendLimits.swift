import Foundation
import Logging
public import OutboxStore
import PostgresNIO

/// Connection caps and rate limits counted in the PostgreSQL outbox, so they hold across
/// every node sharing it (issue #14): a slot or an admission is one call of a function of
/// schema step `v24-send-limits` (``PostgresSendLimitSchema``), one round trip that locks
/// the account's or owner's row and reads the database's clock.
///
/// The ledger's calls block the calling thread for that round trip (the delivery workers
/// are threads of their own); ``finishSend(_:sent:)`` does not wait for it.
public final class PostgresSendLimits: SendLimitLedger {
    private let store: PostgresStore
    /// How long a slot is held without a renewal; a node that dies loses its slots after it.
    public let slotLease: Int64
    /// How long an admitted send counts as under way in every window unless finished first.
    public let admissionLease: Int64

    public init(store: PostgresStore, slotLease: Duration = .seconds(30), admissionLease: Duration = .seconds(600)) {
        self.store = store
        self.slotLease = Self.milliseconds(slotLease)
        self.admissionLease = Self.milliseconds(admissionLease)
    }

    public var isShared: Bool { true }

    public func acquireConnection(_ account: ConnectionAccount, cap: Int, holder: String) throws -> ConnectionSlot? {
        let (client, logger, lease) = (store.client, store.logger, slotLease)
        let id = try blocking("taking a connection slot for \(account)") { () async throws -> Int64? in
            var id: Int64?
            for try await slot in try await client.query(
                "SELECT outbox_acquire_connection(\(account.description), \(Int64(cap)), \(holder), \(lease))", logger: logger
            ).decode(Int64?.self) { id = slot }
            return id
        }
        return id.map { ConnectionSlot(account: account, id: $0) }
    }

    public func releaseConnections(_ slots: [ConnectionSlot]) throws {
        guard !slots.isEmpty else { return }
        let (client, logger, ids) = (store.client, store.logger, slots.map(\.id))
        try blocking("giving back \(ids.count) connection slot(s)") {
            _ = try await client.query("DELETE FROM connection_slot WHERE id = ANY(\(ids))", logger: logger)
        }
    }

    public func renewConnections(_ slots: [ConnectionSlot]) throws -> Set<Int64> {
        guard !slots.isEmpty else { return [] }
        let (client, logger, ids, lease) = (store.client, store.logger, slots.map(\.id), slotLease)
        return try blocking("renewing \(ids.count) connection slot(s)") {
            var kept = Set<Int64>()
            for try await id in try await client.query(
                "UPDATE connection_slot SET expires_at = outbox_clock_ms() + \(lease) WHERE id = ANY(\(ids)) RETURNING id", logger: logger
            ).decode(Int64.self) { kept.insert(id) }
            return kept
        }
    }

    public func admitSend(owner: String, limits: SendLimits, recipients: Int, holder: String, now: Int64) throws -> SendAdmission {
        let (client, logger, lease) = (store.client, store.logger, admissionLease)
        let (perMinute, perHour, perDay, perDayRecipients) = (limits.perMinute.map(Int64.init), limits.perHour.map(Int64.init),
                                                            limits.perDay.map(Int64.init), limits.recipientsPerDay.map(Int64.init))
        typealias Row = (Int64?, Int64, Int64?, String?, Int64?)
        let row = try blocking("admitting a send of owner \(owner)") { () async throws -> Row? in
            var answer: Row?
            for try await row in try await client.query("""
                SELECT admission, admitted_at, wait_ms, reason, reason_limit FROM outbox_admit_send(
                    \(owner), \(perMinute), \(perHour), \(perDay), \(perDayRecipients), \(limits.spacing), \(Int64(recipients)), \(holder), \(lease))
                """, logger: logger).decode(Row.self) { answer = row }
            return answer
        }
        guard let (admission, admittedAt, wait, reason, limit) = row else {
            throw StoreError(.ioError, "admitting a send of owner \(owner) on \(store.location): the database returned no answer")
        }
        if let admission { return .go(SendTicket(owner: owner, recipients: recipients, id: admission, admittedAt: admittedAt)) }
        let why: SendLimitReason = switch reason {
        case "minute": .messages(.minute, limit: Int(limit ?? 0))
        case "hour": .messages(.hour, limit: Int(limit ?? 0))
        case "day": .messages(.day, limit: Int(limit ?? 0))
        case "recipients": .recipientsPerDay(limit: Int(limit ?? 0))
        default: .spacing(milliseconds: limit ?? limits.spacing)
        }
        return .wait(until: now + max(1, wait ?? 1_000), reason: why)
    }

    public func finishSend(_ ticket: SendTicket, sent: Bool) {
        let (client, logger, location) = (store.client, store.logger, store.location)
        Task {
            do {
                if sent {
                    try await client.query("""
                        UPDATE send_admission SET at = GREATEST(at, outbox_clock_ms()), in_flight_until = NULL WHERE id = \(ticket.id)
                        """, logger: logger)
                } else {
                    try await client.query("DELETE FROM send_admission WHERE id = \(ticket.id)", logger: logger)
                }
            } catch {
                logger.warning("ending the admission of a send of owner \(ticket.owner) on \(location) failed: \(PostgresStore.describe(error)); it counts as under way until its lease ends")
            }
        }
    }

    /// Runs `body` on Swift's concurrency pool and waits for it on this thread; a failure
    /// comes back as a ``StoreError`` that says what was being done.
    private func blocking<Value: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> Value) throws -> Value {
        do { return try waitingOnThisThread(body) } catch {
            throw StoreError(.ioError, "\(what) on \(store.location) failed: \(PostgresStore.describe(error))")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
