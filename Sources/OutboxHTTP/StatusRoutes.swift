import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OutboxStore

/// The read-only status page: `/` (queue, 24-hour charts, holds, latest failures) and
/// `/status/messages/{id}` (one message's timeline), from the store queries the API and
/// `/metrics` use, run off the event loops on the read pool (never in delivery's way).
///
/// Access: the same API token as the API, not limited to owners. A browser cannot send a
/// bearer header, so `/status/login` takes the token in a form and keeps it in an HttpOnly,
/// SameSite=Strict cookie that only these GET pages accept (never `/v1`, so no other site
/// can make a browser act with it). `[http] status-page-without-token = yes` (loopback
/// listeners only) lets a request with no forwarding header in without a token.
struct StatusRoutes: Sendable {
    static let loginPath = "/status/login"
    static let logoutPath = "/status/logout"
    static let cookieName = "outbox_status"
    static let cookieLifetimeSeconds = 12 * 3600
    /// The charts' window.
    static let window: Int64 = 24 * 3600 * 1000
    /// The latest failures listed.
    static let failureLimit = 20

    let store: any APIStore
    /// Marks the cookie `Secure` (the listener speaks TLS).
    let secureCookie: Bool

    static func messagePath(_ id: Int64) -> String { "/status/messages/\(id)" }

    /// Whether `path` is a status page (the cookie counts there); the login form is open.
    static func isPage(_ path: String) -> Bool { path == "/" || path.hasPrefix("/status/messages/") }

    func add(to router: Router<APIRequestContext>) {
        router.get("/", use: overview)
        router.get("status/messages/:id", use: message)
        router.get("status/login") { _, _ in Self.html(.ok, StatusPageHTML.login(failed: false)) }
        router.post("status/login", use: login)
        router.post("status/logout") { _, _ in
            Self.redirect(to: Self.loginPath, cookie: "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
        }
    }

    @Sendable func overview(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard context.owners == nil else { return Self.html(.forbidden, StatusPageHTML.login(failed: true)) }
        let now = OutboxDatabase.milliseconds(Date())
        async let status = store.status()
        async let health = store.queueHealth(now: now)
        async let outcomes = store.outcomeOverview(since: now - Self.window, failureLimit: Self.failureLimit)
        return Self.html(.ok, StatusPageHTML.overview(status: try await status, health: try await health, outcomes: try await outcomes, now: now))
    }

    @Sendable func message(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard context.owners == nil else { return Self.html(.forbidden, StatusPageHTML.login(failed: true)) }
        guard let id = context.parameters.get("id", as: Int64.self), id > 0 else { return Self.notFound }
        guard let detail = try await store.messageIfAny(id: id) else { return Self.notFound }
        return Self.html(.ok, StatusPageHTML.message(detail))
    }

    /// `POST /status/login` with `token=…`: a live token not limited to owners sets the cookie.
    @Sendable func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        let form = String(decoding: try await body(of: request, limit: .loginForm), as: UTF8.self)
        let presented = Self.formValue("token", in: form) ?? ""
        let token = try await store.authenticateAPIToken(presented)
        guard let token, token.owners == nil else { return Self.html(.unauthorized, StatusPageHTML.login(failed: true)) }
        let cookie = "\(Self.cookieName)=\(presented); Path=/; Max-Age=\(Self.cookieLifetimeSeconds); HttpOnly; SameSite=Strict"
            + (secureCookie ? "; Secure" : "")
        return Self.redirect(to: "/", cookie: cookie)
    }

    /// The token in the status cookie, if any.
    static func cookieToken(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName, !parts[1].isEmpty { return String(parts[1]) }
            }
        }
        return nil
    }

    /// What a status page answers a request without a valid token: the login form.
    static var signIn: Response { redirect(to: loginPath, cookie: nil) }

    static func formValue(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name {
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
        }
        return nil
    }

    private static var notFound: Response {
        html(.notFound, StatusPageHTML.page(title: "Not found", "<p><a href=\"/\">← Status</a></p><h1>No such message</h1>"))
    }

    private static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                           .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func redirect(to location: String, cookie: String?) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}
