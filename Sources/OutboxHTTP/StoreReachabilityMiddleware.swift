import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OutboxStore

/// Answers 503 (``APIError/unreachable``) when the store a request needs cannot be reached —
/// a PostgreSQL outbox whose server is down or cut off — instead of a 500, or of a request that
/// hangs while the connection pool keeps retrying (a minute before it fails what waits).
/// The store says so from an error it threw (``OutboxStore/APIStore/unreachability(of:)``),
/// or, while the request has waited `patience` without an answer and then every
/// `recheck`, from a connection attempt (``OutboxStore/APIStore/unreachability()``); the
/// waiting work is then cancelled. A store that is a local file is never out of reach: a
/// locked one answers 503 `busy` (``APIError/from(_:)``).
struct StoreReachabilityMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let store: any APIStore
    var patience: Duration = .seconds(1)
    var recheck: Duration = .seconds(2)

    func handle(_ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await withoutActuallyEscaping(next) { next in
                // The handler runs as a child task so a finding can cancel it; the group ends before `next` does.
                nonisolated(unsafe) let handler = next
                return try await withThrowingTaskGroup(of: Response?.self) { group in
                    group.addTask { try await handler(request, context) }
                    group.addTask { [store, patience, recheck] in
                        try await Task.sleep(for: patience)
                        while true {
                            if let unreachable = await store.unreachability() { throw unreachable }
                            try await Task.sleep(for: recheck)
                        }
                    }
                    defer { group.cancelAll() }
                    while let answer = try await group.next() {
                        if let answer { return answer }
                    }
                    throw CancellationError()
                }
            }
        } catch {
            guard let unreachable = store.unreachability(of: error) else { throw error }
            context.logger.warning("\(request.method) \(request.uri.path): \(unreachable.reason)")
            throw unreachable
        }
    }
}
