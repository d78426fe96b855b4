import Foundation
import GRDB
import Testing
@testable import OutboxStore

/// The status page's 24-hour figures: grouped per minute and by reason from the event log,
/// read from the covering index alone, and the newest failures first.
@Suite struct OutcomeOverviewTests {
    @Test func outcomesAreGroupedPerMinuteAndByReasonFromTheIndex() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let hour: Int64 = 3_600_000, now: Int64 = 1_000 * hour
        try outbox.database.pool.write { db in
            func event(_ at: Int64, _ kind: String, reason: String? = nil, code: Int? = nil, message: Int64? = nil) throws {
                try db.execute(sql: "INSERT INTO event (at, kind, message_id, owner, recipient, code, reason) VALUES (?, ?, ?, 'billing', 'a@example.com', ?, ?)",
                               arguments: [at, kind, message, code, reason])
            }
            try event(now - 25 * hour, "sent")                 // outside the window
            try event(now - 25 * hour, "failed", code: 550)    // outside, but among the latest failures
            for second in 0..<3 { try event(now - 2 * hour + Int64(second) * 1000, "sent") }
            try event(now - 2 * hour + 5000, "failed", code: 550, message: 7)
            try event(now - 60_000, "sent")
            try event(now - 60_000, "bounced", reason: "userunknown", code: 550, message: 8)
            try event(now - 50_000, "expired", message: 9)
            try event(now - 40_000, "deferred", code: 451)    // not an outcome
        }
        let overview = try outbox.database.outcomeOverview(since: now - 24 * hour, failureLimit: 3)
        let twoHoursAgo = (now - 2 * hour) / 60_000, lastMinute = (now - 60_000) / 60_000
        #expect(overview.minutes == [
            OutcomeOverview.Minute(minute: twoHoursAgo, sent: 3, failed: 1, bounced: 0),
            OutcomeOverview.Minute(minute: lastMinute, sent: 1, failed: 1, bounced: 1),
        ])
        #expect(Set(overview.reasons) == [
            OutcomeOverview.Reason(kind: "failed", reason: "smtp_5xx", count: 1),
            OutcomeOverview.Reason(kind: "failed", reason: "expired", count: 1),
            OutcomeOverview.Reason(kind: "bounced", reason: "userunknown", count: 1),
        ])
        #expect(overview.latestFailures.map(\.event.kind) == ["expired", "bounced", "failed"])
        #expect(overview.latestFailures.map(\.event.messageID) == [9, 8, 7])

        try outbox.database.pool.read { db in
            let plan = try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + OutboxDatabase.outcomeHistogramSQL, arguments: [0],
                                           adapter: SuffixRowAdapter(fromIndex: 3)).joined(separator: " | ")
            #expect(plan.contains("COVERING INDEX event_outcome_by_time"), "\(plan)")
            #expect(!plan.contains("SCAN event"), "\(plan)")
            // The outer query (parent 0) walks the index in order; only the recipient subquery sorts (one message's recipients).
            let failures = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + OutboxDatabase.latestFailuresSQL, arguments: ["failed", 20])
                .filter { $0["parent"] as Int == 0 }.map { $0["detail"] as String }.joined(separator: " | ")
            #expect(failures.contains("INDEX event_outcome_by_time (kind=?)") && !failures.contains("TEMP B-TREE"), "\(failures)")
        }
    }
}

/// `v27-outcome-index-terms`: the outcome index's condition without an `IN` list, so writing
/// an event builds no temporary b-tree to decide whether it belongs; an outbox made before
/// keeps its events and the status page still reads them from the index.
@Suite struct OutcomeIndexTermsMigrationTests {
    static func insertEventProgram(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: """
            EXPLAIN INSERT INTO event (at, kind, message_id, batch_id, owner, recipient, code, enhanced_code, reason, detail)
            VALUES (1, 'sent', NULL, NULL, 'billing', NULL, 250, NULL, NULL, NULL)
            """).map { $0["opcode"] as String }
    }

    @Test func anOlderOutboxGetsTheConditionAndKeepsItsEvents() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        // The outbox as v21–v26 left it: the index on `kind IN (…)`.
        try outbox.database.pool.write { db in
            try db.execute(sql: """
                DROP INDEX event_outcome_by_time;
                CREATE INDEX event_outcome_by_time ON event(kind, at, reason, code) WHERE \(StatusPageMigration.outcomeKindsList);
                DELETE FROM grdb_migrations WHERE identifier = 'v27-outcome-index-terms';
                INSERT INTO event (at, kind, owner) VALUES (1000, 'sent', 'billing'), (2000, 'failed', 'billing'), (3000, 'deferred', 'billing');
                """)
            #expect(try Self.insertEventProgram(db).contains("OpenEphemeral"), "the IN list is a temporary b-tree per insert")
        }
        let reopened = try OutboxDatabase(path: outbox.directory + "/outbox.db")
        try reopened.pool.read { db in
            let condition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'event_outcome_by_time'") ?? ""
            #expect(condition.hasSuffix("WHERE \(StatusPageMigration.outcomeKinds)"), "\(condition)")
            #expect(!(try Self.insertEventProgram(db)).contains("OpenEphemeral"))
            let plan = try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + OutboxDatabase.outcomeHistogramSQL, arguments: [0],
                                           adapter: SuffixRowAdapter(fromIndex: 3)).joined(separator: " | ")
            #expect(plan.contains("COVERING INDEX event_outcome_by_time"), "\(plan)")
        }
        let overview = try reopened.outcomeOverview(since: 0, failureLimit: 5)
        #expect(overview.minutes.map(\.sent).reduce(0, +) == 1 && overview.latestFailures.map(\.event.kind) == ["failed"])
    }
}
