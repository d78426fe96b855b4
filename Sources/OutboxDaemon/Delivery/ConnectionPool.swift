import Foundation
import Logging
import OutboxStore
import OutboxTransport

/// The engine's SMTP sessions, shared by its workers: at most a profile's connection cap
/// open per account (server and login), idle ones reused by whichever worker sends next
/// to that account. A worker checks a session out for one message and back in after it,
/// so it never holds a session while waiting for another one (no deadlock), and a worker
/// over the cap waits until a slot is free.
///
/// The cap is counted by a ``ConnectionSlotLedger``: a slot is taken before a connection
/// opens and given back after it closed. ``LocalConnectionSlots`` (one node) counts in
/// memory, and a check-in wakes a waiting worker at once. A shared ledger counts across
/// nodes: waiting workers look again every 0.2 s, a thread renews the slots' leases, and
/// an idle connection is closed after ``sharedIdleHold`` so other nodes get their turn.
///
/// Sessions are not `Sendable`; the pool hands each to one worker at a time.
final class ConnectionPool: @unchecked Sendable {
    /// Who the server sees: the cap counts connections per account, whatever the token.
    typealias Account = ConnectionAccount

    private struct Idle {
        let key: SessionKey
        let session: SMTPSession
        let slot: ConnectionSlot
        let since: Int64
    }

    private let condition = NSCondition()
    private var idle: [Idle] = []  // guarded by `condition`; oldest first
    private var checkedOut: [ObjectIdentifier: ConnectionSlot] = [:]  // guarded by `condition`
    /// Slots of checked-out sessions whose lease ran out: closed at check-in. Guarded by `condition`.
    private var lost: Set<Int64> = []
    /// Counts check-ins and given-back slots, so a worker does not sleep through one. Guarded by `condition`.
    private var changes = 0
    /// Connections being opened, by account, for ``readings()``. Guarded by `condition`.
    private var opening: [Account: Int] = [:]
    /// Limit and waits by account, for ``readings()``. Guarded by `condition`.
    private var figures: [Account: ConnectionUse] = [:]
    private let idleCapacity: Int
    private let slots: any ConnectionSlotLedger
    /// The node holding the slots (the engine's lease owner).
    private let holder: String
    private let logger = Logger(label: "outbox.connections")

    /// With a shared ledger, an idle connection is closed (its slot given back) after this long.
    static let sharedIdleHold: Int64 = 2_000

    /// - Parameters:
    ///   - idleCapacity: idle sessions kept at most (the oldest are closed beyond it).
    ///   - slots: where the cap is counted; this node's memory unless several nodes share it.
    ///   - holder: who holds the slots in a shared ledger.
    init(idleCapacity: Int, slots: any ConnectionSlotLedger = LocalConnectionSlots(), holder: String = "") {
        self.idleCapacity = max(1, idleCapacity)
        self.slots = slots
        self.holder = holder
        if slots.isShared { startUpkeep() }
    }

    /// A session for `key`: an idle one, a new one while the account has fewer than `limit`
    /// connections, or — at the cap — the next one a slot is free for. Returns nil when
    /// `giveUp` says so while waiting (the engine is stopping). `waiting(true)` is called
    /// before the first wait, `waiting(false)` after the last.
    func checkout(
        _ key: SessionKey, credentials: SMTPCredentials, limit: Int, giveUp: () -> Bool, waiting: (Bool) -> Void = { _ in }
    ) throws(SMTPSessionError) -> SMTPSession? {
        let account = Account(key)
        var waited = false
        var failing = false
        defer { if waited { waiting(false) } }
        while true {
            condition.lock()
            if let session = takeIdle(key) { return session }
            figures[account, default: ConnectionUse(server: account.server)].limit = max(1, limit)  // the cap applies from here on
            let seen = changes
            condition.unlock()
            if let slot = acquire(account, limit: limit, failing: &failing) {
                condition.lock()
                opening[account, default: 0] += 1
                condition.unlock()
                let opened = Result { () throws(SMTPSessionError) in try SMTPSession(endpoint: key.endpoint, credentials: credentials) }
                condition.lock()
                opening[account, default: 1] -= 1
                if case .success(let session) = opened { checkedOut[ObjectIdentifier(session)] = slot }
                condition.unlock()
                switch opened {
                case .success(let session): return session
                case .failure(let error):
                    release([slot])
                    throw error
                }
            }
            condition.lock()
            if let session = takeIdle(key) { return session }  // checked in meanwhile
            // At the cap: an idle session of the same account under other credentials (a
            // refreshed token) makes room; otherwise wait for a slot.
            if let index = idle.firstIndex(where: { Account($0.key) == account }) {
                var closing = [idle.remove(at: index)]
                condition.unlock()
                close(&closing)
                continue
            }
            if giveUp() {
                condition.unlock()
                return nil
            }
            if !waited {
                waited = true
                figures[account]?.waits += 1
                condition.unlock()
                waiting(true)
                continue
            }
            if changes == seen {
                let slice = ContinuousClock.now
                _ = condition.wait(until: Date().addingTimeInterval(slots.isShared ? 0.2 : 0.5))
                figures[account]?.waitSeconds += Self.seconds(slice.duration(to: .now))
            }
            condition.unlock()
        }
    }

    /// An idle session for `key`, checked out; unlocks `condition` when it returns one.
    private func takeIdle(_ key: SessionKey) -> SMTPSession? {
        guard let index = idle.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = idle.remove(at: index)
        checkedOut[ObjectIdentifier(entry.session)] = entry.slot
        condition.unlock()
        return entry.session
    }

    /// Returns a session that is fit for the next message.
    func checkin(_ key: SessionKey, _ session: SMTPSession) {
        var closing: [Idle] = []
        condition.lock()
        if let slot = checkedOut.removeValue(forKey: ObjectIdentifier(session)) {
            let entry = Idle(key: key, session: session, slot: slot, since: Self.now())
            if lost.remove(slot.id) != nil { closing.append(entry) } else { idle.append(entry) }
        }
        while idle.count > idleCapacity { closing.append(idle.removeFirst()) }
        changes += 1
        condition.broadcast()
        condition.unlock()
        close(&closing)
    }

    /// Closes a checked-out session after a problem, then gives its slot back. Pass it with
    /// `consume`: the connection must be closed before another may take its place.
    func discard(_ key: SessionKey, _ session: consuming SMTPSession) {
        condition.lock()
        let slot = checkedOut.removeValue(forKey: ObjectIdentifier(session))
        if let slot { lost.remove(slot.id) }
        condition.unlock()
        _ = consume session  // QUIT and close, outside the lock
        if let slot { release([slot]) }
    }

    /// Closes every idle session (QUIT), e.g. when there is nothing to send.
    func closeIdle() {
        condition.lock()
        var closing = idle
        idle.removeAll()
        condition.unlock()
        close(&closing)
    }

    /// Closes `entries`' sessions (QUIT), then gives their slots back.
    private func close(_ entries: inout [Idle]) {
        let taken = entries.map(\.slot)
        entries.removeAll()  // the pool held the only reference: each session closes here
        release(taken)
    }

    private func acquire(_ account: Account, limit: Int, failing: inout Bool) -> ConnectionSlot? {
        do {
            let slot = try slots.acquireConnection(account, cap: max(1, limit), holder: holder)
            failing = false
            return slot
        } catch {
            if !failing { logger.error("taking a connection slot for \(account) failed: \(error); waiting and trying again") }
            failing = true
            return nil
        }
    }

    private func release(_ taken: [ConnectionSlot]) {
        guard !taken.isEmpty else { return }
        do { try slots.releaseConnections(taken) } catch {
            logger.warning("giving back \(taken.count) connection slot(s) failed: \(error); they are free when their lease ends")
        }
        condition.lock()
        changes += 1
        condition.broadcast()
        condition.unlock()
    }

    /// With a shared ledger: closes connections idle for ``sharedIdleHold`` and renews the
    /// leases of the others a third of the way through; a thread that ends with the pool.
    private func startUpkeep() {
        let thread = Thread { [weak self] in
            var renewedAt = Self.now()
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                guard let pool = self else { return }
                pool.upkeep(renewedAt: &renewedAt)
            }
        }
        thread.name = "outbox-connection-slots"
        thread.start()
    }

    private func upkeep(renewedAt: inout Int64) {
        let now = Self.now()
        condition.lock()
        var closing = idle.filter { now - $0.since >= Self.sharedIdleHold }
        idle.removeAll { now - $0.since >= Self.sharedIdleHold }
        let renewing = now - renewedAt >= slots.slotLease / 3
        let held = renewing ? idle.map(\.slot) + checkedOut.values : []
        condition.unlock()
        close(&closing)
        guard renewing else { return }
        do {
            let kept = held.isEmpty ? [] : try slots.renewConnections(held)
            renewedAt = now
            let gone = Set(held.map(\.id)).subtracting(kept)
            guard !gone.isEmpty else { return }
            logger.warning("\(gone.count) connection slot(s) outlived their lease; their connections are closed")
            condition.lock()
            lost.formUnion(checkedOut.values.map(\.id).filter(gone.contains))
            closing = idle.filter { gone.contains($0.slot.id) }
            idle.removeAll { gone.contains($0.slot.id) }
            condition.unlock()
            close(&closing)
        } catch {
            logger.warning("renewing the leases of \(held.count) connection slot(s) failed: \(error)")
        }
    }

    private static func now() -> Int64 { OutboxDatabase.milliseconds(Date()) }

    /// The connections now and the waits so far, by server (accounts on one server summed).
    func readings() -> [ConnectionUse] {
        condition.lock()
        var open = opening
        for entry in idle { open[entry.slot.account, default: 0] += 1 }
        for slot in checkedOut.values { open[slot.account, default: 0] += 1 }
        var servers: [String: ConnectionUse] = [:]
        for (account, use) in figures {
            servers[account.server, default: ConnectionUse(server: account.server)].add(use, open: open[account, default: 0])
        }
        for entry in idle { servers[entry.slot.account.server]?.idle += 1 }
        condition.unlock()
        return servers.values.sorted { $0.server < $1.server }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension ConnectionAccount {
    /// The account `key` logs in to.
    init(_ key: SessionKey) { self.init(host: key.endpoint.host, port: key.endpoint.port, user: key.user) }

    /// `host:port`, as `/metrics` labels it.
    var server: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension ConnectionUse {
    /// Adds an account's limit and waits, and its `open` connections.
    fileprivate mutating func add(_ account: ConnectionUse, open: Int) {
        self.open += open
        limit += account.limit
        waits += account.waits
        waitSeconds += account.waitSeconds
    }
}
