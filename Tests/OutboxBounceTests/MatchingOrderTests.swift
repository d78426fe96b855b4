import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// The fallbacks after VERP, unmatched bounces, garbage and re-delivered copies.
@Suite struct MatchingOrderTests {
    /// Sample 01 with the VERP token gone from every envelope header.
    static func withoutVERP(_ more: [(String, String)] = []) throws -> [UInt8] {
        try BounceSample.edited("01-postfix-dsn-failed.eml", [("bounces+q7Hk2mA9@", "bounces@")] + more)
    }

    @Test func returnedMessageIDMatchesWithoutVERP() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        let result = try outbox.database.ingestBounce(raw: try Self.withoutVERP(), source: "test", now: BounceOutbox.now)
        #expect(result.messageID == message && result.matchedBy == .messageID)
        #expect(try outbox.recipientStates(message) == ["nobody@example.org": "bounced"])
    }

    @Test func outboxTokenHeaderMatchesWhenMessageIDIsForeign() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        let raw = try Self.withoutVERP([("Message-ID: <q7Hk2mA9@outbox.example>", "Message-ID: <rewritten.1@relay.example>")])
        let result = try outbox.database.ingestBounce(raw: raw, source: "test", now: BounceOutbox.now)
        #expect(result.messageID == message && result.matchedBy == .header)
    }

    @Test func addressFallbackPicksTheMostRecentSendWithinThirtyDays() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let day = BounceOutbox.day, now = BounceOutbox.now
        try outbox.sentMessage(token: nil, to: ["nobody@example.org"], sentAt: now - 40 * day)
        let older = try outbox.sentMessage(token: nil, to: ["nobody@example.org"], sentAt: now - 5 * day)
        let newest = try outbox.sentMessage(token: nil, to: ["Nobody@Example.org", "someone@example.org"], sentAt: now - 2 * day)
        try outbox.sentMessage(token: nil, to: ["nobody@example.org"], sentAt: now - day, state: "pending")
        let raw = try Self.withoutVERP([("<q7Hk2mA9@outbox.example>", "<other@x.example>"), ("X-Outbox-Token: q7Hk2mA9", "X-Note: none")])
        let result = try outbox.database.ingestBounce(raw: raw, source: "test", now: now)
        #expect(result.matchedBy == .address)
        // Addresses compare without regard to case (the store keeps "Nobody@example.org").
        #expect(result.messageID == newest)
        #expect(try outbox.recipientStates(newest) == ["Nobody@example.org": "bounced", "someone@example.org": "sent"])
        #expect(try outbox.recipientStates(older) == ["nobody@example.org": "sent"])
    }

    @Test func unmatchedHardBounceIsKeptButSuppressesNobody() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let result = try outbox.database.ingestBounce(raw: try BounceSample.bytes("01-postfix-dsn-failed.eml"), source: "test", now: BounceOutbox.now)
        #expect(result.messageID == nil && result.matchedBy == nil && result.suppressed.isEmpty)
        let events = try outbox.events(kind: "bounced")
        #expect(events.count == 1)
        #expect(events[0]["message_id"] as Int64? == nil)
        #expect(events[0]["recipient"] as String? == "nobody@example.org")
        #expect(events[0]["enhanced_code"] as String? == "5.1.1" && events[0]["code"] as Int? == 550)
        #expect((events[0]["detail"] as String).contains("unmatched"))
        #expect(try outbox.count("SELECT COUNT(*) FROM suppression") == 0)
    }

    @Test func autoReplyMatchedToAMessageSuppressesNobody() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "0ff1ce00", to: ["kadri@customer.example"])
        let result = try outbox.database.ingestBounce(raw: try BounceSample.bytes("14-out-of-office.eml"), source: "test", now: BounceOutbox.now)
        #expect(result.kind == "autoReply" && result.messageID == message)
        #expect(result.events.map(\.kind) == ["auto-reply"] && result.suppressed.isEmpty)
        #expect(try outbox.recipientStates(message) == ["kadri@customer.example": "sent"])
        #expect(try outbox.count("SELECT COUNT(*) FROM suppression") == 0)
    }

    @Test(arguments: [[UInt8](), [0, 255, 13, 10, 13, 10], Array(repeating: 0x41, count: 100_000),
                      Array("From: MAILER-DAEMON@x\r\nSubject: Undelivered Mail\r\n\r\nsorry\r\n".utf8)])
    func garbageIsKeptAsAnEventWithItsRawBytes(_ raw: [UInt8]) throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let result = try outbox.database.ingestBounce(raw: raw, source: "test", now: BounceOutbox.now)
        #expect(result.events.count == 1)
        #expect(["bounce-unrecognised", "not-a-bounce"].contains(result.events[0].kind))
        #expect(try outbox.database.bounceRaw(id: result.bounceID) == raw)
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE detail LIKE '%[bounce #\(result.bounceID)]'") == 1)
    }

    @Test func theSameBytesTwiceAreRecordedOnce() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        let raw = try BounceSample.bytes("01-postfix-dsn-failed.eml")
        let first = try outbox.database.ingestBounce(raw: raw, source: "test", now: BounceOutbox.now)
        let second = try outbox.database.ingestBounce(raw: raw, source: "test", now: BounceOutbox.now + 1)
        #expect(!first.duplicate && second.duplicate && second.bounceID == first.bounceID && second.events.isEmpty)
        #expect(try outbox.count("SELECT COUNT(*) FROM event") == 1 + 1) // enqueued + bounced
        #expect(try outbox.count("SELECT COUNT(*) FROM bounce") == 1)
    }

    @Test func suppressionCanBeTurnedOff() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "q7Hk2mA9", to: ["nobody@example.org"])
        let result = try outbox.database.ingestBounce(raw: try BounceSample.bytes("01-postfix-dsn-failed.eml"), source: "test",
                                                      now: BounceOutbox.now, policy: nil)
        #expect(result.suppressed.isEmpty && result.messageID == message)
        #expect(try outbox.recipientStates(message) == ["nobody@example.org": "bounced"])
        #expect(try outbox.database.suppressions(now: BounceOutbox.now).isEmpty)
    }
}
