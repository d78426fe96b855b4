import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OutboxStore

/// Lets a request through only with a live API token (`Authorization: Bearer TOKEN`).
/// A missing, malformed, unknown or revoked token gets the same 401, which says nothing
/// about which it was. `open` paths (the OpenAPI document) need no token.
struct TokenMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let database: OutboxDatabase
    let open: Set<String>

    func handle(_ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        if open.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthorized
        }
        let presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let database = self.database
        guard let token = try await offloaded({ try database.authenticateAPIToken(presented) }) else { throw APIError.unauthorized }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}

/// Turns every error thrown below it into the API's JSON error body (so a store error
/// is never shown raw), and logs the unexpected ones.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            throw APIError(status: error.status, code: error.status == .notFound ? "notFound" : "invalidRequest",
                           message: error.body ?? error.status.reasonPhrase)
        } catch {
            let mapped = APIError.from(error)
            if mapped.status == .internalServerError {
                context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            }
            throw mapped
        }
    }
}
