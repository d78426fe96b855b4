import Dispatch
import OutboxPostgres
import OutboxStore
import Synchronization

/// The commands that already work on a PostgreSQL outbox (`--db postgres://…`, issue #14
/// phase 1): `list`, `status` and `events` read it through the ``QueueStore`` seam; the
/// others refuse it with a clear error until they are moved behind the seam.
extension DatabaseOptions {
    /// True when the database setting names a PostgreSQL outbox.
    var isPostgres: Bool { PostgresLocation.isPostgres(resolvedPath) }

    /// Opens the PostgreSQL outbox, runs `read` on it and closes it; errors as the SQLite path reports them.
    func readPostgres<T: Sendable>(_ read: @escaping @Sendable (any QueueStore) async throws -> T) throws -> T {
        try readPostgresStore(read)
    }

    /// ``readPostgres(_:)`` with the PostgreSQL store's own operations at hand.
    func readPostgresStore<T: Sendable>(_ read: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        let setting = resolvedPath
        return try Failure.guarding {
            try Self.waitFor {
                let store = try await PostgresStore.openReachable(try PostgresLocation(setting))
                defer { store.close() }
                do {
                    return try await read(store)
                } catch {
                    throw PostgresStore.reported(error, doing: "PostgreSQL outbox \(store.location)")
                }
            }
        }
    }

    /// Runs an operator command's store work on whichever store the setting names (``onEitherStore(_:_:_:)``).
    func operate<T: Sendable>(_ body: @escaping @Sendable (any OperatorStore) async throws -> T) throws -> T {
        try onEitherStore(.readWrite, body, body)
    }

    /// Runs a command's store work on whichever store the setting names: `sqlite` on the SQLite
    /// file opened with `access`, or `postgres` on the PostgreSQL outbox (usually one closure
    /// over the seam both witness); errors as the SQLite path reports them.
    func onEitherStore<T: Sendable>(_ access: OutboxDatabase.Access, _ sqlite: @escaping @Sendable (OutboxDatabase) async throws -> T,
                                    _ postgres: @escaping @Sendable (PostgresStore) async throws -> T) throws -> T {
        guard isPostgres else {
            let outbox = try open(access)
            return try Failure.guarding { try Self.waitFor { try await sqlite(outbox) } }
        }
        return try readPostgresStore(postgres)
    }

    /// The refusal of a PostgreSQL outbox by a command that does not support it yet.
    static let postgresNotYet = StoreError(
        .invalidState, "this command does not work on a PostgreSQL outbox yet (the README's PostgreSQL section lists what does)")

    /// Runs async store work from a synchronous command (the main thread waits; the work
    /// runs on the concurrency pool and postgres-nio's event loop).
    static func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}
