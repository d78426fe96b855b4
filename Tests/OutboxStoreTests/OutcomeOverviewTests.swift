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
