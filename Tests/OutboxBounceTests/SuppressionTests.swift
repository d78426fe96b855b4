import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// The suppression list and what the delivery engine calls at claim time.
@Suite struct SuppressionTests {
    @Test func addListRemove() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        #expect(try outbox.database.addSuppression(address: " Someone@Example.ORG ", reason: "asked us to stop", now: 5))
        #expect(try !outbox.database.addSuppression(address: "someone@example.org", reason: "again", now: 6))
        let list = try outbox.database.suppressions()
        #expect(list.map(\.address) == ["someone@example.org"] && list[0].reason == "asked us to stop" && list[0].createdAt == 5)
        #expect(list[0].eventID != nil)
        #expect(throws: StoreError.self) { try outbox.database.addSuppression(address: "not an address", reason: "x", now: 7) }
        #expect(try outbox.database.removeSuppression(address: "SOMEONE@example.org", now: 8))
        #expect(try !outbox.database.removeSuppression(address: "someone@example.org", now: 9))
        #expect(try outbox.database.suppressions().isEmpty)
        #expect(try outbox.events().map { $0["kind"] as String } == ["suppressed", "suppression-removed"])
    }

    @Test func suppressRecipientsMarksOnlyUnsentSuppressedRecipients() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        // nobody@example.org hard-bounces and lands on the list through ingestion.
        try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        let ingested = try outbox.database.ingestBounce(raw: try BounceSample.bytes("01-postfix-dsn-failed.eml"), source: "test", now: BounceOutbox.now)
        #expect(ingested.suppressed == ["nobody@example.org"])
        try outbox.database.addSuppression(address: "quiet@example.org", reason: "operator", now: BounceOutbox.now)

        let next = try outbox.sentMessage(token: nil, to: ["Nobody@Example.org", "quiet@example.org", "fine@example.org"], state: "pending")
        let alreadySent = try outbox.sentMessage(token: nil, to: ["quiet@example.org"], state: "sent")
        let untouched = try outbox.sentMessage(token: nil, to: ["nobody@example.org"], state: "pending")

        let marked = try outbox.database.suppressRecipients(ofMessages: [next, alreadySent], now: BounceOutbox.now + 1)
        #expect(marked == 2)
        #expect(try outbox.recipientStates(next) == ["Nobody@example.org": "suppressed", "quiet@example.org": "suppressed", "fine@example.org": "pending"])
        #expect(try outbox.recipientStates(alreadySent) == ["quiet@example.org": "sent"])
        #expect(try outbox.recipientStates(untouched) == ["nobody@example.org": "pending"], "only the messages asked about")
        let events = try outbox.events(kind: "suppressed").filter { $0["message_id"] as Int64? == next }
        #expect(Set(events.map { $0["recipient"] as String }) == ["Nobody@example.org", "quiet@example.org"])
        #expect(events.allSatisfy { ($0["detail"] as String).contains("suppression list") })
        #expect(try outbox.database.suppressRecipients(ofMessages: [next], now: BounceOutbox.now + 2) == 0, "idempotent")
        #expect(try outbox.database.suppressRecipients(ofMessages: [], now: 0) == 0)
    }
}
