import _ConnectionPoolModule
import Foundation
public import OutboxStore
import PostgresNIO
import Synchronization

extension PostgresStore {
    /// ``open(_:logger:environment:maximumConnections:)`` after checking that the server
    /// accepts a TCP connection within `timeout`. A server that is down or unreachable is
    /// a temporary failure (``OutboxStore/StoreError/Code/unreachable``: exit 75, so a caller
    /// such as an ERP tries again) said plainly — "cannot reach the PostgreSQL outbox at
    /// HOST:PORT: Connection refused" — at once, rather than after the connection pool's
    /// retries end in a tripped circuit breaker. The check sends no byte, so no password
    /// goes anywhere before TLS is set up as `sslmode` says.
    public static func openReachable(_ location: PostgresLocation, timeout: Duration = .seconds(10), maximumConnections: Int = 8) async throws -> PostgresStore {
        try checkReachable(location, timeout: timeout)
        return try await open(location, maximumConnections: maximumConnections)
    }

    /// `outbox init --db postgres://…`: after the same reachability check, creates the schema or
    /// brings it up to date under the migration lock (as every node does when it connects).
    /// Returns the steps applied now, in order: every step when the schema was created, none
    /// when it was up to date.
    public static func initialise(_ location: PostgresLocation, timeout: Duration = .seconds(10)) async throws -> [String] {
        try checkReachable(location, timeout: timeout)
        let (store, applied) = try await connect(location, maximumConnections: 1)
        store.close()
        return applied
    }

    /// The schema steps this binary knows, in order (the last one is the current schema).
    public static var schemaSteps: [String] { PostgresMigrations.steps.map(\.name) }

    private static func checkReachable(_ location: PostgresLocation, timeout: Duration) throws {
        if let problem = PostgresReachability.problem(host: location.host, port: location.port, timeout: timeout) {
            throw unreachable(location, problem)
        }
    }

    /// Whether the server accepts a TCP connection now (within 3 s; a thread of its own
    /// waits): nil when it does, else why not. The HTTP listener asks while a request waits
    /// for a connection — the pool keeps retrying a lost server for a minute before it fails
    /// its waiting requests. A finding less than a second old is reused, so many waiting
    /// requests do not each probe. No byte is sent: the server logs nothing for such a probe.
    public func unreachability() async -> StoreError? {
        let now = ContinuousClock.now
        if let last = lastProbe.withLock({ $0 }), last.at.duration(to: now) < .seconds(1) { return last.finding }
        let location = location
        let finding = await offloaded {
            PostgresReachability.problem(host: location.host, port: location.port, timeout: .seconds(3)).map { Self.unreachable(location, $0) }
        }
        lastProbe.withLock { $0 = (ContinuousClock.now, finding) }
        return finding
    }

    /// `error` as ``OutboxStore/StoreError/Code/unreachable`` when it says that no connection to
    /// the server could be made or kept (refused, lost, the server shutting down or starting
    /// up, the pool's circuit breaker open after a minute of failed connects), else nil.
    public func unreachability(of error: any Error) -> StoreError? {
        if let error = error as? StoreError { return error.code == .unreachable ? error : nil }
        return Self.connectionFailure(error).map { Self.unreachable(location, $0) }
    }

    /// "cannot reach the PostgreSQL outbox at HOST:PORT: WHY" (never the user or a password).
    static func unreachable(_ location: PostgresLocation, _ why: String) -> StoreError {
        StoreError(.unreachable, "cannot reach the PostgreSQL outbox at \(location.host):\(location.port): \(why)")
    }

    /// What went wrong, in words, when `error` is a failure to connect or a lost connection.
    static func connectionFailure(_ error: any Error) -> String? {
        if let error = error as? ConnectionPoolError {
            return error == .connectionCreationCircuitBreakerTripped ? "every new connection failed for a minute; the pool keeps trying" : nil
        }
        guard let error = error as? PSQLError else { return nil }
        if let state = error.serverInfo?[.sqlState] {
            // Class 08: connection exception; 57P01–57P03: the server shuts down, crashed, or is starting up.
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) ? describe(error) : nil
        }
        guard [.connectionError, .serverClosedConnection, .uncleanShutdown].contains(error.code) else { return nil }
        return error.underlying.map { "\($0)" } ?? "the connection was lost"
    }
}

/// A plain TCP connection attempt to a PostgreSQL server.
enum PostgresReachability {
    /// Nil when `host:port` accepts a TCP connection within `timeout` (on any of its
    /// addresses), else why not, in the system's words. A Unix socket directory is not checked.
    static func problem(host: String, port: Int, timeout: Duration) -> String? {
        guard !host.hasPrefix("/") else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var addresses: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &addresses)
        guard resolved == 0, let first = addresses else { return String(cString: gai_strerror(resolved)) }
        defer { freeaddrinfo(first) }
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var problem = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { problem = String(cString: strerror(errno)); continue }
            defer { close(descriptor) }
            var failure: Int32 = 0
            if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
                failure = errno
                if failure == EINPROGRESS {
                    var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    if poll(&waiting, 1, milliseconds) == 1 {
                        var pending: Int32 = 0, length = socklen_t(MemoryLayout<Int32>.size)
                        failure = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 ? pending : errno
                    } else {
                        failure = ETIMEDOUT
                    }
                }
            }
            guard failure != 0 else { return nil }
            problem = failure == ETIMEDOUT ? "no answer within \(milliseconds / 1000) s" : String(cString: strerror(failure))
        }
        return problem
    }
}
