import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OutboxStore

/// One-click unsubscribe (RFC 8058) at `/u/{token}`: the URL that letters'
/// `List-Unsubscribe` names when `[bounces] unsubscribe-url` is set. It needs no API token:
/// the letter's unguessable token is the credential, and the route can do nothing else.
///
/// `POST` with the body `List-Unsubscribe=One-Click` unsubscribes (a mail provider's
/// one-click, or the button of the confirmation page); `GET` only shows that page, because
/// link scanners and previews fetch URLs and must never unsubscribe anyone (RFC 8058 §3.1).
struct UnsubscribeRoutes: Sendable {
    /// The path prefix the token middleware leaves open.
    static let pathPrefix = "/u/"
    /// The only body a one-click POST carries (RFC 8058 §3.1), form-encoded.
    static let oneClickBody = "List-Unsubscribe=One-Click"

    let store: any APIStore

    func add(to router: Router<APIRequestContext>) {
        router.get("u/:token") { _, _ in
            Self.page(.ok, "Unsubscribe", """
                <p>Do you want to stop receiving these letters at this address?</p>
                <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">\
                <button type="submit">Unsubscribe</button></form>
                <p class="small">Invoices and other messages you need are still sent.</p>
                """)
        }
        router.post("u/:token", use: unsubscribe)
    }

    /// `POST /u/{token}`: records the request through the store (idempotent); 200 when the
    /// token is known (unsubscribed now or before), 404 when it is not, 400 without the
    /// one-click body. The page never shows the address or the owner.
    @Sendable func unsubscribe(_ request: Request, context: APIRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let form = String(decoding: try await body(of: request, limit: .unsubscribeForm), as: UTF8.self)
        guard form.split(separator: "&").contains(where: { $0 == Self.oneClickBody }) else {
            return Self.page(.badRequest, "Unsubscribe", "<p>This address unsubscribes with a POST whose body is <code>\(Self.oneClickBody)</code> (RFC 8058).</p>")
        }
        let result = try await store.unsubscribe(token: token, source: .oneClick, now: OutboxDatabase.milliseconds(Date()))
        switch result.outcome {
        case .unsubscribed, .alreadyUnsubscribed:
            return Self.page(.ok, "Unsubscribed", "<p>You will receive no more of these letters at this address.</p>"
                             + "<p class=\"small\">Invoices and other messages you need are still sent.</p>")
        case .unknownToken:
            return Self.page(.notFound, "Unknown link", "<p>This unsubscribe link is not known. Use the link of a recent letter, or reply to the sender.</p>")
        }
    }

    /// A small self-contained HTML page, readable on a phone.
    private static func page(_ status: HTTPResponse.Status, _ title: String, _ content: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}\
            button{font-size:1rem;padding:.5rem 1.25rem}.small{color:#555;font-size:.9rem}</style></head>
            <body><h1>\(title)</h1>
            \(content)
            </body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
