import ArgumentParser
import Foundation
import OutboxPostgres
import OutboxStore

/// `outbox events`: the event log, optionally followed as it grows.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Show the event log (oldest first); --follow tails it.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only events of this kind (enqueued, sent, deferred, failed, bounced, cancelled, …).") var kind: String?
    @Option(help: "Only this message's events.") var message: Int64?
    @Option(help: "Only this batch's events.") var batch: Int64?
    @Option(help: "Only this owner's events.") var owner: String?
    @Option(help: "Only events since: a duration (2h, 7d) or an ISO 8601 time.") var since: String?
    @Option(help: "Only events with an id greater than this.") var after: Int64?
    @Option(help: "At most this many events (1-10000).") var limit = 100
    @Flag(help: "Keep running and print new events as they are recorded (with --since/--after, matching older ones first).") var follow = false
    @Option(help: "With --follow: stop after this many seconds (default: run until interrupted).") var followSeconds: Double?
    @Flag(help: "Print JSON (one object per line with --follow, else one array).") var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() throws {
        var filter = EventFilter(kind: kind, messageID: message, batchID: batch, owner: owner,
                                 since: try TimeFilter.since(since, now: nowMilliseconds()), afterID: after, limit: limit)
        if database.isPostgres {
            let query = filter
            if follow { return try followPostgres(query) }
            let events = try database.readPostgres { try await $0.events(query) }
            if json { try Formatting.printJSON(events) } else if events.isEmpty { print("no events") } else { events.forEach { print(Formatting.event($0)) } }
            return
        }
        let outbox = try database.open(.readOnly)
        if !follow {
            let events = try Failure.guarding { try outbox.events(filter) }
            if json { try Formatting.printJSON(events) } else if events.isEmpty { print("no events") } else { events.forEach { print(Formatting.event($0)) } }
            return
        }
        // Following: with --since or --after, show what matches first; otherwise only what comes next.
        var last = try outbox.lastEventID()
        if filter.since != nil || filter.afterID != nil {
            let backlog = try outbox.events(filter)
            try emit(backlog)
            last = backlog.last?.id ?? last
        }
        Terminal.notice("following events after #\(last)")
        let deadline = followSeconds.map { Date().addingTimeInterval($0) }
        while deadline.map({ Date() < $0 }) ?? true {
            usleep(250_000)
            filter.afterID = last
            let next = try outbox.events(filter)
            try emit(next)
            last = next.last?.id ?? last
        }
    }

    /// `--follow` on a PostgreSQL outbox that several nodes write: the whole log is read after
    /// the last id and handed out in id order past gaps that may still fill
    /// (``OutboxStore/EventGapHoldBack``), then filtered here, so no late-committed event is skipped.
    private func followPostgres(_ filter: EventFilter) throws {
        let deadline = followSeconds.map { Date().addingTimeInterval($0) }
        let command = self
        try database.readPostgresStore { store in
            var last = try await store.lastEventID()
            if filter.since != nil || filter.afterID != nil {
                let backlog = try await store.events(filter)
                try command.emit(backlog)
                last = max(last, backlog.last?.id ?? last)
            }
            Terminal.notice("following events after #\(last)")
            var holdBack = EventGapHoldBack()
            while deadline.map({ Date() < $0 }) ?? true {
                try await Task.sleep(for: .milliseconds(250))
                // Pages of the whole log until caught up, so a busy outbox does not leave the follower behind.
                var caughtUp = false
                while !caughtUp {
                    let read = try await store.events(EventFilter(afterID: last, limit: Self.followPage))
                    let settled = holdBack.settled(read, after: last, now: .now)
                    try command.emit(settled.filter(filter.matches))
                    last = settled.last?.id ?? last
                    caughtUp = read.count < Self.followPage || settled.count < read.count
                }
            }
        }
    }

    /// Events read per query while following a PostgreSQL outbox.
    static let followPage = 1_000

    private func emit(_ events: [EventRecord]) throws {
        for event in events {
            if json { try Formatting.printJSON(event) } else { print(Formatting.event(event)) }
        }
        fflush(nil)
    }
}
