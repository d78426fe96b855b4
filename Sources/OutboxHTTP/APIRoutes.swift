import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OutboxCore
import OutboxStore

/// The `/v1` endpoints for submitting and looking up mail. Every handler reaches the store
/// off the event loops (see ``OffloadedDatabase``) and sees only the mail of its token's owners: another
/// owner's message is "not found", exactly like a message that does not exist.
struct APIRoutes: Sendable {
    let store: any APIStore
    let maxBodyBytes: Int
    let limits: IntakeLimits

    /// Files on the server are never attached through the API: an application sends the
    /// bytes inline or uploads them once and names the content.
    static let noFiles = AttachmentPolicy(roots: [], baseDirectory: nil,
                                          hint: "send the file inline as base64 ('content') or upload it with POST /v1/attachments and give its 'contentRef'")

    func add(to router: RouterGroup<APIRequestContext>) {
        router.post("batches", use: postBatch)
        router.get("batches/:key", use: getBatch)
        router.post("attachments", use: postAttachment)
        router.get("messages", use: findMessage)
        router.get("messages/:id", use: getMessage)
        router.post("messages/:id/cancel") { request, context in try await change(request, context, cancel: true) }
        router.post("messages/:id/retry") { request, context in try await change(request, context, cancel: false) }
    }

    /// `POST /v1/batches`: the batch document of `outbox enqueue`, through the same reader.
    /// 201 when written; 200 with `duplicateBatch: true` when the batch key is known (nothing written).
    @Sendable func postBatch(_ request: Request, context: APIRequestContext) async throws -> Response {
        let bytes = try await body(of: request, limit: .setting(maxBodyBytes))
        var input = BatchInput(source: "request", attachments: Self.noFiles, limits: limits, format: Self.format(of: request))
        input.allowedOwners = context.owners.map(Set.init)
        let result = try await store.enqueue(input, bytes: bytes, now: OutboxDatabase.milliseconds(Date()))
        var headers: HTTPFields = [:]
        if let key = result.batchKey { headers[.location] = "/v1/batches/" + (key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key) }
        return try JSONBody.response(result, status: result.duplicateBatch ? .ok : .created, headers: headers)
    }

    /// `GET /v1/batches/{key}`: the batch with that idempotency key and its messages' states.
    @Sendable func getBatch(_ request: Request, context: APIRequestContext) async throws -> Response {
        let key = try context.parameters.require("key")
        guard let batch = try await store.batch(key: key, owners: context.owners) else { throw APIError.notFound("batch '\(key)'") }
        return try JSONBody.response(batch)
    }

    /// `POST /v1/attachments`: stores the body's bytes and answers their `contentRef`.
    @Sendable func postAttachment(_ request: Request, context: APIRequestContext) async throws -> Response {
        let bytes = try await body(of: request, limit: maxBodyBytes <= limits.maxMessageBytes ? .setting(maxBodyBytes) : .message(limits.maxMessageBytes))
        guard !bytes.isEmpty else { throw APIError.badRequest("the attachment is empty") }
        let stored = try await store.storeContent(bytes)
        return try JSONBody.response(stored, status: stored.created ? .created : .ok)
    }

    /// `GET /v1/messages?key=ERP-KEY`: the message with the application's own key.
    @Sendable func findMessage(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let key = request.uri.queryParameters.get("key"), !key.isEmpty else {
            throw APIError.badRequest("give the message's key: GET /v1/messages?key=KEY", field: "key")
        }
        guard let id = try await store.messageID(key: key) else { throw APIError.notFound("message with key '\(key)'") }
        return try JSONBody.response(try await visibleMessage(id, context))
    }

    /// `GET /v1/messages/{id}`: one message with recipients, attachments and its timeline.
    @Sendable func getMessage(_ request: Request, context: APIRequestContext) async throws -> Response {
        try JSONBody.response(try await visibleMessage(try messageID(context), context))
    }

    /// `POST /v1/messages/{id}/cancel|retry`: 200 when it changed, 409 when the message's state
    /// does not allow it (or, for a retry, it is past its `expiresAt` and the body gives no
    /// later one: `{"expiresAt": "2026-12-05T18:00:00+02:00"}` or `{"noExpiry": true}`).
    func change(_ request: Request, _ context: APIRequestContext, cancel: Bool) async throws -> Response {
        let id = try messageID(context)
        _ = try await visibleMessage(id, context)
        let now = OutboxDatabase.milliseconds(Date())
        let expiry = cancel ? .keep : try Self.retryExpiry(try await body(of: request, limit: .retry), now: now)
        let result = cancel ? try await store.cancel(messageID: id, now: now) : try await store.retry(messageID: id, now: now, expiry: expiry)
        guard result.changed > 0 else {
            throw APIError(status: .conflict, code: "invalidState",
                           message: cancel ? "message \(id) is already sending or finished; it was not cancelled"
                                           : "message \(id) is sending, sent or cancelled; it was not retried")
        }
        return try JSONBody.response(result)
    }

    /// The retry's optional body: `{"expiresAt": RFC 3339 time ahead}` or `{"noExpiry": true}`; empty keeps the expiry.
    static func retryExpiry(_ bytes: [UInt8], now: Int64) throws -> RetryExpiry {
        struct Body: Decodable {
            var expiresAt: String?
            var noExpiry: Bool?
        }
        guard bytes.contains(where: { !Set(" \t\r\n".utf8).contains($0) }) else { return .keep }
        guard let keys = (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?.keys else {
            throw APIError.badRequest(#"the body of a retry is a JSON object: {"expiresAt": "2026-12-05T18:00:00+02:00"} or {"noExpiry": true}"#)
        }
        if let unknown = keys.sorted().first(where: { !["expiresAt", "noExpiry"].contains($0) }) {
            throw APIError.badRequest("unknown field '\(unknown)'; a retry takes expiresAt or noExpiry", field: unknown)
        }
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: Data(bytes)) } catch {
            guard case DecodingError.typeMismatch(_, let context) = error, let field = context.codingPath.first?.stringValue else {
                throw APIError.badRequest("expiresAt is an RFC 3339 time with an offset and noExpiry true or false")
            }
            throw APIError.badRequest(field == "noExpiry" ? "noExpiry is true or false" : "expiresAt is an RFC 3339 time with an offset", field: field)
        }
        switch (body.expiresAt, body.noExpiry ?? false) {
        case (nil, let noExpiry):
            return noExpiry ? .none : .keep
        case (.some, true):
            throw APIError.badRequest("give expiresAt or noExpiry, not both", field: "expiresAt")
        case (let text?, false):
            guard let time = RFC3339Time.milliseconds(text) else {
                throw APIError.badRequest("expiresAt '\(text)' is not an RFC 3339 time with an offset, like 2026-12-02T08:00:00+02:00", field: "expiresAt")
            }
            guard time > now else { throw APIError.badRequest("expiresAt \(text) has already passed", field: "expiresAt") }
            return .at(time)
        }
    }

    private func visibleMessage(_ id: Int64, _ context: APIRequestContext) async throws -> MessageDetail {
        guard let detail = try await store.messageIfAny(id: id), context.allows(owner: detail.summary.owner) else { throw APIError.notFound("message \(id)") }
        return detail
    }

    private func messageID(_ context: APIRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self), id > 0 else { throw APIError.notFound("message") }
        return id
    }

    /// JSON Lines when the content type says so; otherwise detected as the CLI does.
    static func format(of request: Request) -> BatchInput.Format? {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return ["application/x-ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines"].contains(type ?? "") ? .jsonl : nil
    }
}

/// How large a request body may be, and what sets that limit (the 413 names it: raising
/// `[http] max-body-bytes` helps only where that setting is the limit).
struct BodyLimit: Sendable {
    let bytes: Int
    let source: String

    /// `[http] max-body-bytes`: batches, and attachment uploads up to the message size limit.
    static func setting(_ bytes: Int) -> BodyLimit { BodyLimit(bytes: bytes, source: "[http] max-body-bytes") }
    /// An attachment belongs to one message, so it is held to the message size limit when that is lower.
    static func message(_ bytes: Int) -> BodyLimit { BodyLimit(bytes: bytes, source: "the size limit of one message, which the attachment belongs to") }
    /// A retry's body holds only expiresAt or noExpiry: a fixed limit, no setting.
    static let retry = BodyLimit(bytes: 4096, source: "a retry's body holds only expiresAt or noExpiry; no setting changes this limit")
    /// A one-click unsubscribe form (RFC 8058) is one short field: a fixed limit, no setting.
    static let unsubscribeForm = BodyLimit(bytes: 1024, source: "a one-click unsubscribe form holds only List-Unsubscribe=One-Click")
    /// The status pages' login form holds one token: a fixed limit, no setting.
    static let loginForm = BodyLimit(bytes: 4096, source: "the login form holds only a token")
}

/// The request body, refused with 413 when it is (or says it will be) over the limit.
func body(of request: Request, limit: BodyLimit) async throws -> [UInt8] {
    if let length = request.headers[.contentLength].flatMap(Int.init), length > limit.bytes { throw APIError.tooLarge(limit) }
    do {
        var buffer = try await request.body.collect(upTo: limit.bytes)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    } catch let error as HTTPError where error.status == .contentTooLarge {
        throw APIError.tooLarge(limit)
    }
}
