import Foundation
public import Logging
public import OutboxStore
public import PostgresNIO
import Synchronization

/// The outbox on PostgreSQL (issue #14, phase 1): the ``OutboxStore/QueueStore`` seam —
/// enqueue, claims with `FOR UPDATE SKIP LOCKED` under leases owned by a node id,
/// outcomes with their events, leases, and the inspection reads — over a pool of
/// connections. Several nodes may share one database.
///
/// Open with ``open(_:logger:environment:)``, which migrates the schema; ``close()`` when done.
public final class PostgresStore: QueueStore {
    /// Where the database is (for messages; never holds the password).
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    /// The last reachability probe (``unreachability()``): requests waiting at once share one per second.
    let lastProbe = Mutex<(at: ContinuousClock.Instant, finding: StoreError?)?>(nil)

    /// The `NOTIFY` channel an enqueue signals on commit; its payload is the batch id.
    public static let enqueueChannel = "outbox_enqueued"

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Connects to `location` (password per ``PostgresLocation/password(environment:)``,
    /// TLS per its `sslmode`) and brings the schema up to date under the advisory lock.
    /// `maximumConnections`: the pool's size (`serve` needs one per worker, one for the
    /// commit thread and one for `LISTEN`).
    public static func open(
        _ location: PostgresLocation, logger: Logger = Logger(label: "outbox.postgres"),
        environment: [String: String] = ProcessInfo.processInfo.environment, maximumConnections: Int = 8
    ) async throws -> PostgresStore {
        try await connect(location, logger: logger, environment: environment, maximumConnections: maximumConnections).store
    }

    /// ``open(_:logger:environment:maximumConnections:)``, also returning the schema steps it applied (in order).
    /// The migration runs on a first connection made outside the pool, so a refusal (no such
    /// database, a wrong password, TLS) fails at once in the server's words: the pool would
    /// retry it for a minute and then report only that it gave up.
    static func connect(
        _ location: PostgresLocation, logger: Logger = Logger(label: "outbox.postgres"),
        environment: [String: String] = ProcessInfo.processInfo.environment, maximumConnections: Int = 8
    ) async throws -> (store: PostgresStore, applied: [String]) {
        let password = try location.password(environment: environment)
        let applied: [String]
        do {
            var first = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user, password: password,
                                                         database: location.database, tls: try connectionTLS(location.tlsMode))
            first.options.connectTimeout = .seconds(10)
            let connection = try await PostgresConnection.connect(configuration: first, id: 0, logger: logger)
            do {
                applied = try await PostgresMigrations.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            if let why = connectionFailure(error) {
                // The system's word for it ("Connection refused") rather than the event loop's error dump, where a probe can tell.
                throw unreachable(location, PostgresReachability.problem(host: location.host, port: location.port, timeout: .seconds(3)) ?? why)
            }
            // 3D000: no such database. The schema is ours to create; the database and its role are the DBA's.
            let missing = (error as? PSQLError)?.serverInfo?[.sqlState] == "3D000"
                ? "; create it first (CREATE DATABASE \(location.database) OWNER \(location.user)), then run outbox init" : ""
            throw StoreError(.cannotOpenDatabase, "cannot open the PostgreSQL outbox \(location.description): \(Self.describe(error))\(missing)")
        }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: password,
            database: location.database, tls: tls(location.tlsMode))
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        // The pool's own chatter (e.g. a lease asked for while `run()` is still starting) stays below errors.
        var background = logger
        background.logLevel = .error
        return (PostgresStore(location: location, client: PostgresClient(configuration: configuration, backgroundLogger: background), logger: logger), applied)
    }

    /// Stops the connection pool; later calls fail.
    public func close() {
        runner.cancel()
    }

    /// Runs `body` with the notifications of enqueues on any node (``enqueueChannel``),
    /// on a connection of its own for as long as `body` runs.
    public func withEnqueueNotifications<Value: Sendable>(_ body: (PostgresNotificationSequence) async throws -> Value) async throws -> Value {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.enqueueChannel, consume: body)
        }
    }

    /// Runs `body` in one transaction; the error that made it roll back is thrown as it
    /// was (an ``OutboxCore/IntakeError`` stays one), a failed BEGIN or COMMIT as a ``StoreError``
    /// (``OutboxStore/StoreError/Code/unreachable`` when the connection was lost).
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let cause = error.closureError { throw cause }
            let cause = error.beginError ?? error.commitError ?? error.rollbackError
            if let cause, let unreachable = unreachability(of: cause) { throw unreachable }
            throw StoreError(.ioError, "PostgreSQL transaction on \(location) failed: \(cause.map(Self.describe) ?? "unknown error")")
        }
    }

    static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        guard let (configuration, required) = tlsConfiguration(mode) else { return .disable }
        return required ? .require(configuration) : .prefer(configuration)
    }

    /// ``tls(_:)`` for a single connection.
    static func connectionTLS(_ mode: PostgresLocation.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        guard let (configuration, required) = tlsConfiguration(mode) else { return .disable }
        let context = try NIOSSLContext(configuration: configuration)
        return required ? .require(context) : .prefer(context)
    }

    /// The TLS set-up `sslmode` asks for (nil: none) and whether the connection must have it.
    private static func tlsConfiguration(_ mode: PostgresLocation.TLSMode) -> (TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable:
            return nil
        case .prefer, .require:
            configuration.certificateVerification = .none  // libpq: encryption without a certificate check
            return (configuration, mode == .require)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return (configuration, true)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return (configuration, true)
        }
    }

    /// A query or connection error as a ``OutboxStore/StoreError`` with the server's message
    /// and detail (never the query's values), for a command to print; other errors as they are.
    public static func reported(_ error: any Error, doing: String) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
        return StoreError(error.serverInfo == nil ? .ioError : .invalidState, "\(doing): \(describe(error))\(detail)")
    }

    /// The server's message for a query error (postgres-nio hides it from `description`).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

extension PostgresLocation: CustomStringConvertible {
    /// `postgres://USER@HOST:PORT/DATABASE` (no password is ever part of it).
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}
