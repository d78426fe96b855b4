import Foundation
import OutboxTransport

/// The engine's SMTP sessions, shared by its workers: at most a profile's connection cap
/// open per account (server and login), idle ones reused by whichever worker sends next
/// to that account. A worker checks a session out for one message and back in after it,
/// so it never holds a session while waiting for another one (no deadlock), and a worker
/// over the cap waits until another worker checks one in.
///
/// Sessions are not `Sendable`; the pool hands each to one worker at a time.
final class ConnectionPool: @unchecked Sendable {
    /// Who the server sees: the cap counts connections per account, whatever the token.
    struct Account: Hashable {
        let host: String
        let port: Int
        let user: String

        init(_ key: SessionKey) {
            host = key.endpoint.host.lowercased()
            port = key.endpoint.port
            user = key.user
        }
    }

    private let condition = NSCondition()
    private var idle: [(key: SessionKey, session: SMTPSession)] = []  // guarded by `condition`; oldest first
    private var open: [Account: Int] = [:]  // guarded by `condition`; idle and checked out
    private var figures: [Account: ConnectionUse] = [:]  // guarded by `condition`; limit and waits, for ``readings()``
    private let idleCapacity: Int

    /// - Parameter idleCapacity: idle sessions kept at most (the oldest are closed beyond it).
    init(idleCapacity: Int) { self.idleCapacity = max(1, idleCapacity) }

    /// A session for `key`: an idle one, a new one while the account has fewer than
    /// `limit` connections, or — at the cap — the next one checked in. Returns nil when
    /// `giveUp` says so while waiting (the engine is stopping). `waiting(true)` is called
    /// before the first wait, `waiting(false)` after the last.
    func checkout(
        _ key: SessionKey, credentials: SMTPCredentials, limit: Int, giveUp: () -> Bool, waiting: (Bool) -> Void = { _ in }
    ) throws(SMTPSessionError) -> SMTPSession? {
        let account = Account(key)
        var closing: [SMTPSession] = []
        var waited = false
        defer {
            if waited { waiting(false) }
            withExtendedLifetime(closing) {}  // QUIT outside the lock
        }
        condition.lock()
        while true {
            if let index = idle.firstIndex(where: { $0.key == key }) {
                defer { condition.unlock() }
                return idle.remove(at: index).session
            }
            figures[account, default: ConnectionUse(server: account.server)].limit = max(1, limit)  // the cap applies from here on
            if open[account, default: 0] < max(1, limit) {
                open[account, default: 0] += 1
                condition.unlock()
                do {
                    return try SMTPSession(endpoint: key.endpoint, credentials: credentials)
                } catch {
                    discard(key)
                    throw error
                }
            }
            // At the cap: an idle session of the same account under other credentials (a
            // refreshed token) makes room; otherwise wait for a check-in.
            if let index = idle.firstIndex(where: { Account($0.key) == account }) {
                closing.append(idle.remove(at: index).session)
                open[account, default: 1] -= 1
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
                condition.lock()
                continue
            }
            let slice = ContinuousClock.now
            _ = condition.wait(until: Date().addingTimeInterval(0.5))
            figures[account]?.waitSeconds += Self.seconds(slice.duration(to: .now))
        }
    }

    /// Returns a session that is fit for the next message.
    func checkin(_ key: SessionKey, _ session: SMTPSession) {
        var closing: [SMTPSession] = []
        condition.lock()
        idle.append((key, session))
        while idle.count > idleCapacity {
            let oldest = idle.removeFirst()
            closing.append(oldest.session)
            open[Account(oldest.key), default: 1] -= 1
        }
        condition.broadcast()
        condition.unlock()
        withExtendedLifetime(closing) {}  // QUIT outside the lock
    }

    /// Forgets a checked-out session after a problem (the caller drops it, which closes it).
    func discard(_ key: SessionKey) {
        condition.lock()
        let account = Account(key)
        open[account, default: 1] -= 1
        if open[account] == 0 { open[account] = nil }
        condition.broadcast()
        condition.unlock()
    }

    /// Closes every idle session (QUIT), e.g. when there is nothing to send.
    func closeIdle() {
        condition.lock()
        let closing = idle
        idle.removeAll()
        for entry in closing { open[Account(entry.key), default: 1] -= 1 }
        open = open.filter { $0.value > 0 }
        condition.broadcast()
        condition.unlock()
        withExtendedLifetime(closing) {}  // QUIT outside the lock
    }

    /// The connections now and the waits so far, by server (accounts on one server summed).
    func readings() -> [ConnectionUse] {
        condition.lock()
        var servers: [String: ConnectionUse] = [:]
        for (account, use) in figures {
            servers[account.server, default: ConnectionUse(server: account.server)].add(use, open: open[account, default: 0])
        }
        for entry in idle { servers[Account(entry.key).server]?.idle += 1 }
        condition.unlock()
        return servers.values.sorted { $0.server < $1.server }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension ConnectionPool.Account {
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
