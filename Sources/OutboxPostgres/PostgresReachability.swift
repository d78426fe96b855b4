import Foundation
import OutboxStore

extension PostgresStore {
    /// ``open(_:logger:environment:maximumConnections:)`` after checking that the server
    /// accepts a TCP connection within `timeout`. A server that is down or unreachable is
    /// a temporary failure (``OutboxStore/StoreError/Code/ioError``: exit 75, so a caller such
    /// as an ERP tries again) said plainly — "cannot reach the PostgreSQL outbox at
    /// HOST:PORT: Connection refused" — at once, rather than after the connection pool's
    /// retries end in a tripped circuit breaker. The check sends no byte, so no password
    /// goes anywhere before TLS is set up as `sslmode` says.
    public static func openReachable(_ location: PostgresLocation, timeout: Duration = .seconds(10), maximumConnections: Int = 8) async throws -> PostgresStore {
        if let problem = PostgresReachability.problem(host: location.host, port: location.port, timeout: timeout) {
            throw StoreError(.ioError, "cannot reach the PostgreSQL outbox at \(location.host):\(location.port): \(problem)")
        }
        return try await open(location, maximumConnections: maximumConnections)
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
