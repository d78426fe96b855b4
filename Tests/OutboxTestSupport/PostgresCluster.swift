import Foundation

/// A private PostgreSQL cluster for one test: `initdb` in a temporary directory, the
/// server on a free 127.0.0.1 port with trust authentication for loopback TCP only (no
/// Unix socket in a shared place), stopped and deleted by ``stop()``. Uses Debian's
/// `postgresql` package (`scripts/install-deps --test`). `initdb` refuses to run as root,
/// so as root the cluster's processes run as `nobody` (through `setpriv`).
public final class PostgresCluster: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let port: Int
    /// The superuser the tests connect as (trust authentication).
    public let user = "outbox"
    private let directory: URL
    private let binaries: URL

    /// `postgres://outbox@127.0.0.1:PORT/NAME` for a database made by ``createDatabase(_:)``.
    public func url(database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// Where the server binaries are (the newest installed major version), or nil.
    public static var binaries: URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.compactMap(Int.init).sorted() ?? []
        return versions.last.map { root.appendingPathComponent("\($0)/bin") }
    }

    /// Initialises and starts a cluster; throws with the server's log when it cannot.
    public init() throws {
        guard let binaries = Self.binaries else { throw Failure(description: "PostgreSQL is not installed (scripts/install-deps --test)") }
        self.binaries = binaries
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        let data = directory.appendingPathComponent("data").path
        if getuid() == 0 { _ = try Self.run("/usr/bin/chown", ["nobody", directory.path]) }
        do {
            try Self.runAsServer(binaries.appendingPathComponent("initdb").path, ["-D", data, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            try "host all all 127.0.0.1/32 trust\n".write(toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
            var started: Int?
            for _ in 0..<3 where started == nil {
                let port = try Self.freePort()
                if (try? Self.startServer(binaries: binaries, directory: directory, port: port)) != nil { started = port }
            }
            guard let started else {
                let log = (try? String(contentsOfFile: directory.path + "/server.log", encoding: .utf8)) ?? ""
                throw Failure(description: "PostgreSQL did not start:\n\(log)")
            }
            port = started
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// ``init()`` on a thread of its own, for async tests: `initdb` and the server's start take seconds.
    public static func start() async throws -> PostgresCluster { try await onDedicatedThread { try PostgresCluster() } }

    /// Creates an empty database named `name`.
    public func createDatabase(_ name: String) throws {
        try Self.run(binaries.appendingPathComponent("createdb").path, ["-h", "127.0.0.1", "-p", String(port), "-U", user, name])
    }

    /// Runs one SQL statement through `psql` and returns its unaligned output.
    @discardableResult
    public func sql(_ statement: String, database: String) throws -> String {
        try Self.run(binaries.appendingPathComponent("psql").path,
                     ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", statement])
    }

    /// Stops the server (fast shutdown) and deletes the cluster.
    public func stop() {
        try? stopServer()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Stops the server (fast shutdown: open connections are cut) and keeps the cluster, for an
    /// outage in a test; ``restartServer()`` starts it again on the same port.
    public func stopServer() throws {
        try Self.runAsServer(binaries.appendingPathComponent("pg_ctl").path, ["-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w", "stop"])
    }

    /// Starts the server ``stopServer()`` stopped, on the same port.
    public func restartServer() throws {
        try Self.startServer(binaries: binaries, directory: directory, port: port)
    }

    /// `pg_ctl start` on `port`, loopback TCP only; the server keeps pg_ctl's output
    /// descriptors, so nothing is captured: the log file says it all.
    private static func startServer(binaries: URL, directory: URL, port: Int) throws {
        let options = "-c listen_addresses=127.0.0.1 -p \(port) -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off"
        try runAsServer(binaries.appendingPathComponent("pg_ctl").path, capture: false,
                        ["-D", directory.appendingPathComponent("data").path, "-l", directory.path + "/server.log", "-o", options, "-w", "-t", "30", "start"])
    }

    /// Runs a server tool; as root through `setpriv` as `nobody` (initdb and postgres refuse root).
    @discardableResult
    private static func runAsServer(_ tool: String, capture: Bool = true, _ arguments: [String]) throws -> String {
        guard getuid() == 0 else { return try run(tool, capture: capture, arguments) }
        return try run("/usr/bin/setpriv", capture: capture, ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", tool] + arguments)
    }

    /// Runs a tool to its end (at most 2 minutes), its output in a file: the server that
    /// `pg_ctl` starts keeps any pipe open.
    @discardableResult
    private static func run(_ executable: String, capture: Bool = true, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-pg-run-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        let tool = try ChildProcess(executable, arguments, stdout: capture ? .file(outputPath) : .null, stderr: .standardOutput)
        let termination = try tool.waitForExit(within: 120)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard termination == .exited(0) else { throw Failure(description: "\(executable) \(arguments) failed (\(termination)): \(output)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A TCP port free on 127.0.0.1 right now (the server retries another if it is taken meanwhile).
    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
