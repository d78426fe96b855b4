import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OutboxStore

/// Lets a request through only with a live API token (`Authorization: Bearer TOKEN`).
/// A missing, malformed, unknown or revoked token gets the same 401, which says nothing
/// about which it was. `open` paths (the OpenAPI document) and paths under `openPrefixes`
/// (one-click unsubscribe, whose letter token is its own credential) need no token.
/// The status pages (``StatusRoutes``) also take the token from their cookie and send a
/// browser without one to the login form.
struct TokenMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let store: any APIStore
    let open: Set<String>
    var openPrefixes: [String] = []
    /// `[http] status-page-without-token`: status pages need no token (loopback listeners
    /// only, checked by the configuration) unless the request came through a proxy.
    var statusPageWithoutToken = false

    func handle(_ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if open.contains(path) || openPrefixes.contains(where: path.hasPrefix) { return try await next(request, context) }
        let page = request.method == .get && StatusRoutes.isPage(path)
        if page, statusPageWithoutToken, !Self.forwarded(request) { return try await next(request, context) }
        let bearer = request.headers[.authorization].flatMap { header in
            header.count > 7 && header.prefix(7).lowercased() == "bearer " ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : nil
        }
        guard let presented = bearer ?? (page ? StatusRoutes.cookieToken(request) : nil) else {
            if page { return StatusRoutes.signIn }
            throw APIError.unauthorized
        }
        guard let token = try await store.authenticateAPIToken(presented) else {
            if page { return StatusRoutes.signIn }
            throw APIError.unauthorized
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }

    /// Whether a reverse proxy passed the request on (so it did not start on this host).
    static func forwarded(_ request: Request) -> Bool {
        ["forwarded", "x-forwarded-for", "x-real-ip"].contains { HTTPField.Name($0).map { request.headers[$0] != nil } ?? false }
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
            if error.status == .notFound, error.body == nil, let methods = AllowedMethods.methods(for: request.uri.path) {
                throw APIError(status: .methodNotAllowed, code: "methodNotAllowed",
                               message: "\(request.uri.path) takes \(methods.joined(separator: ", "))", headers: [.allow: methods.joined(separator: ", ")])
            }
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
