import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OutboxStore

/// `GET /v1/events` (pages of the event log after a cursor) and `GET /v1/events/stream`
/// (the same events as Server-Sent Events, live, resuming after `Last-Event-ID`).
///
/// On a store several nodes share, both stop at the feed's horizon (``EventFeed/lastID``):
/// an event committed a moment after one with a higher id is then never skipped by a
/// cursor; what lies beyond comes with the next page or live.
struct EventRoutes: Sendable {
    let store: any APIStore
    let feed: EventFeed

    static let maxPage = 1_000

    func add(to router: RouterGroup<APIRequestContext>) {
        router.get("events", use: page)
        router.get("events/stream", use: stream)
    }

    private struct Page: Encodable {
        let events: [EventRecord]
        /// The cursor for the next page: the last event's id (or the one given, when none).
        let next: String
    }

    /// `?after=CURSOR&limit=N&kind=K`: up to `limit` (1–1000, default 100) events after the cursor, oldest first.
    @Sendable func page(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let after = try Self.cursor(query.get("after"), field: "after") ?? 0
        var limit = 100
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maxPage).contains(value) else {
                throw APIError.badRequest("limit must be a whole number from 1 to \(Self.maxPage), not '\(text)'", field: "limit")
            }
            limit = value
        }
        let filter = EventFilter(kind: query.get("kind"), owners: context.owners, afterID: after, limit: limit)
        let horizon = store.isShared ? feed.lastID : nil
        let events = try await store.events(filter).filter { event in horizon.map { event.id <= $0 } ?? true }
        return try JSONBody.response(Page(events: events, next: String(events.last?.id ?? after)))
    }

    /// Server-Sent Events: `id:` is the event's cursor, `event:` its kind, `data:` the event
    /// as JSON. Starts after `Last-Event-ID` (or `?after=`), else with what comes next.
    @Sendable func stream(_ request: Request, context: APIRequestContext) async throws -> Response {
        // Both are checked, so a malformed `?after=` is refused even when the header wins.
        let after = try Self.cursor(request.uri.queryParameters.get("after"), field: "after")
        let start = try Self.cursor(request.headers[HTTPField.Name("Last-Event-ID")!], field: "Last-Event-ID") ?? after ?? feed.lastID
        // Subscribed before the backlog is read, so nothing committed in between is missed;
        // what both carry is sent once (ids only grow).
        let live = feed.subscribe()
        // Read after subscribing: every event up to it was committed before the backlog is read.
        let horizon = store.isShared ? feed.lastID : nil
        let (store, owners) = (self.store, context.owners)
        let body = ResponseBody { writer in
            var sent = start
            while horizon.map({ sent < $0 }) ?? true {
                let read = try await store.events(EventFilter(owners: owners, afterID: sent, limit: Self.maxPage))
                let backlog = read.filter { event in horizon.map { event.id <= $0 } ?? true }
                for event in backlog { try await writer.write(Self.frame(event)) }
                sent = backlog.last?.id ?? sent
                if read.count < Self.maxPage || backlog.count < read.count { break }
            }
            try await writer.write(ByteBuffer(string: ": following events after \(sent)\n\n"))
            for await events in live {
                if events.isEmpty { try await writer.write(ByteBuffer(string: ": heartbeat\n\n")) }
                for event in events where event.id > sent {
                    if let owners, !owners.contains(event.owner ?? "") { continue }
                    try await writer.write(Self.frame(event))
                    sent = event.id
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache",
                                               HTTPField.Name("X-Accel-Buffering")!: "no"], body: body)
    }

    private static func frame(_ event: EventRecord) throws -> ByteBuffer {
        var text = "id: \(event.id)\nevent: \(event.kind)\ndata: "
        text += String(decoding: try JSONBody.encode(event), as: UTF8.self)
        text += "\n\n"
        return ByteBuffer(string: text)
    }

    private static func cursor(_ text: String?, field: String) throws -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw APIError.badRequest("\(field) must be an event cursor (a number from a previous page or event), not '\(text)'", field: field)
        }
        return value
    }
}
