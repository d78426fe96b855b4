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
                let options = "-c listen_addresses=127.0.0.1 -p \(port) -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off"
                // The server keeps pg_ctl's output descriptors: nothing is captured, the log file says it all.
                if (try? Self.runAsServer(binaries.appendingPathComponent("pg_ctl").path, capture: false, ["-D", data, "-l", directory.path + "/server.log", "-o", options, "-w", "-t", "30", "start"])) != nil {
                    started = port
                }
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
        let data = directory.appendingPathComponent("data").path
        _ = try? Self.runAsServer(binaries.appendingPathComponent("pg_ctl").path, ["-D", data, "-m", "fast", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Runs a server tool; as root through `setpriv` as `nobody` (initdb and postgres refuse root).
    @discardableResult
    private static func runAsServer(_ tool: String, capture: Bool = true, _ arguments: [String]) throws -> String {
        guard getuid() == 0 else { return try run(tool, capture: capture, arguments) }
        return try run("/usr/bin/setpriv", capture: capture, ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", tool] + arguments)
    }

    /// Runs a tool to its end, its output in files (the server started by `pg_ctl` keeps
    /// any pipe open). `posix_spawn` and `waitpid`, not `Process`: reaping `pg_ctl`
    /// through Foundation's child monitor hung when clusters started in parallel.
    @discardableResult
    private static func run(_ executable: String, capture: Bool = true, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-pg-run-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let target = capture ? outputPath : "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure(description: "\(executable) \(arguments) failed (status \(status)): \(output)") }
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
