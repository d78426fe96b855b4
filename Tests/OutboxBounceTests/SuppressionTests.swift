import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// Suppression by reason (not by the status digit), sender problems, complaints, expiry,
/// and the check inside the claim transaction, on real temporary databases.
@Suite struct SuppressionTests {
    static let now = BounceOutbox.now

    @Test func addListRemove() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        #expect(try outbox.database.addSuppression(address: " Someone@Example.ORG ", reason: "asked us to stop", now: 5))
        #expect(try !outbox.database.addSuppression(address: "someone@example.org", reason: "again", now: 6))
        let list = try outbox.database.suppressions(now: 7)
        #expect(list.map(\.address) == ["someone@example.org"] && list[0].reason == "asked us to stop" && list[0].createdAt == 5)
        #expect(list[0].eventID != nil && list[0].expiresAt == nil && list[0].bounceReason == nil)
        #expect(throws: StoreError.self) { try outbox.database.addSuppression(address: "not an address", reason: "x", now: 7) }
        #expect(try outbox.database.removeSuppression(address: "SOMEONE@example.org", now: 8))
        #expect(try !outbox.database.removeSuppression(address: "someone@example.org", now: 9))
        #expect(try outbox.database.suppressions(now: 10).isEmpty)
        #expect(try outbox.events().map { $0["kind"] as String } == ["suppressed", "suppression-removed"])
    }

    @Test func mailboxFullIsRecordedWithItsReasonAndSuppressesNothingUserUnknownSuppressesForGood() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let full = try outbox.sentMessage(token: "tokFull01", to: ["full@customer.test"])
        let gone = try outbox.sentMessage(token: "tokGone01", to: ["gone@customer.test"])
        let soft = try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokFull01", recipient: "full@customer.test", status: "5.2.2",
            diagnostic: "552 5.2.2 <full@customer.test>: Mailbox full"), source: "test", now: Self.now)
        let hard = try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokGone01", recipient: "gone@customer.test", status: "5.1.1",
            diagnostic: "550 5.1.1 <gone@customer.test>: Recipient address rejected: User unknown"), source: "test", now: Self.now)
        #expect(soft.messageID == full && soft.suppressed.isEmpty)
        #expect(soft.events.map { [$0.kind, $0.reason, $0.severity] } == [["bounced", "mailboxfull", "soft"]])
        #expect(hard.messageID == gone && hard.suppressed == ["gone@customer.test"])
        #expect(hard.events.map { [$0.kind, $0.reason, $0.severity] } == [["bounced", "userunknown", "hard"]])
        let list = try outbox.database.suppressions(now: Self.now)
        #expect(list.map(\.address) == ["gone@customer.test"])
        #expect(list.first?.bounceReason == "userunknown" && list.first?.expiresAt == nil && list.first?.bounceID == hard.bounceID)
        #expect(list.first?.eventID == hard.events.first?.eventID && list.first?.reason == "dead address: userunknown 5.1.1")
        let detail = try outbox.database.message(id: full)
        #expect(detail.recipients.map { [$0.state, $0.bounceReason, $0.bounceSeverity] } == [["bounced", "mailboxfull", "soft"]])
        #expect(detail.events.last?.reason == "mailboxfull" && detail.events.last?.severity == "soft")
    }

    @Test func blockedIsASenderProblemOfTheOwnerNotOfTheRecipient() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        for (index, token) in ["tokBlk01", "tokBlk02"].enumerated() {
            try outbox.sentMessage(token: token, to: ["customer\(index)@bigprovider.test"])
            let result = try outbox.database.ingestBounce(raw: BounceWriter.postfix(
                token: token, recipient: "customer\(index)@bigprovider.test", status: "5.7.1",
                diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org"),
                source: "test", now: Self.now + Int64(index))
            #expect(result.suppressed.isEmpty && result.senderProblems == ["alice"])
            #expect(result.events.map(\.kind) == ["bounced", "sender-problem"] && result.events.allSatisfy { $0.reason == "blocked" })
        }
        #expect(try outbox.database.suppressions(now: Self.now).isEmpty)
        let problems = try outbox.database.senderProblems()
        #expect(problems.map { "\($0.owner) \($0.reason) \($0.count)" } == ["alice blocked 2"])
        #expect(problems.first?.firstAt == Self.now && problems.first?.lastAt == Self.now + 1)
        #expect(try outbox.database.senderProblems(owner: "bob").isEmpty)
    }

    @Test func repeatedSoftBouncesSuppressForAWhileAndTheExpiredEntryNoLongerBlocks() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let policy = BounceSuppressionPolicy(softLimit: 3, softWindowMilliseconds: 14 * BounceOutbox.day,
                                             softSuppressionMilliseconds: 30 * BounceOutbox.day)
        func bounce(_ number: Int, at time: Int64) throws -> BounceIngestResult {
            try outbox.sentMessage(token: "tokSoft\(number)", to: ["Full@Customer.test"], sentAt: time - 1000)
            return try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokSoft\(number)", recipient: "Full@Customer.test",
                status: "4.2.2", diagnostic: "452 4.2.2 Mailbox full", action: "failed"), source: "test", now: time, policy: policy)
        }
        // One old bounce outside the window does not count.
        #expect(try bounce(0, at: Self.now - 20 * BounceOutbox.day).suppressed.isEmpty)
        #expect(try bounce(1, at: Self.now - 5 * BounceOutbox.day).suppressed.isEmpty)
        #expect(try bounce(2, at: Self.now - 2 * BounceOutbox.day).suppressed.isEmpty)
        let third = try bounce(3, at: Self.now)
        #expect(third.suppressed == ["full@customer.test"])
        let entry = try #require(try outbox.database.suppressions(now: Self.now).first)
        #expect(entry.expiresAt == Self.now + 30 * BounceOutbox.day && entry.bounceReason == "mailboxfull")
        #expect(entry.eventID == third.events.first?.eventID && entry.reason.hasPrefix("repeated soft bounces: mailboxfull"))

        // While active, the claim suppresses the recipient; once expired, it does not.
        let blocked = try outbox.sentMessage(token: nil, to: ["full@customer.test"], state: "pending")
        let claimed = try outbox.database.claimBatch(leaseOwner: "t", limit: 10, now: Self.now + 1, dueBy: Self.now + 1, leaseUntil: Self.now + 60_000)
        #expect(claimed.messages.first { $0.id == blocked }?.recipients.map(\.state) == [.suppressed])
        let later = Self.now + 31 * BounceOutbox.day
        #expect(try outbox.database.suppressions(now: later).isEmpty)
        #expect(try outbox.database.suppressions(now: later, includeExpired: true).count == 1)
        let sendable = try outbox.sentMessage(token: nil, to: ["full@customer.test"], sentAt: later, state: "pending")
        let reclaimed = try outbox.database.claimBatch(leaseOwner: "t", limit: 10, now: later, dueBy: later, leaseUntil: later + 60_000)
        #expect(reclaimed.messages.first { $0.id == sendable }?.recipients.map(\.state) == [.pending])
    }

    @Test func operatorRemovalRestartsTheSoftCount() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let policy = BounceSuppressionPolicy(softLimit: 2)
        for number in 0..<2 {
            try outbox.sentMessage(token: "tokRm\(number)", to: ["full@customer.test"])
            _ = try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokRm\(number)", recipient: "full@customer.test",
                status: "5.2.2", diagnostic: "552 5.2.2 Mailbox full"), source: "test", now: Self.now + Int64(number), policy: policy)
        }
        #expect(try outbox.database.suppressions(now: Self.now + 2).count == 1)
        #expect(try outbox.database.removeSuppression(address: "full@customer.test", now: Self.now + 3))
        try outbox.sentMessage(token: "tokRm2", to: ["full@customer.test"])
        let next = try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokRm2", recipient: "full@customer.test",
            status: "5.2.2", diagnostic: "552 5.2.2 Mailbox full"), source: "test", now: Self.now + 4, policy: policy)
        #expect(next.suppressed.isEmpty, "the bounces before the operator put the address back no longer count")
    }

    /// The recorder's side of a complaint, from the report the parser hands over for an ARF
    /// message (kind complaint, the complainers with reason feedback and action delivered).
    @Test func complaintIsAComplaintEventAndSuppressesTheComplainer() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "tokArf01", to: ["angry@customer.test"])
        let report = BounceReport(kind: .complaint, format: .rfc3464, perRecipient: [
            BounceRecipient(finalRecipient: "angry@customer.test", action: .delivered, reason: .feedback),
        ], returnedMessageID: "tokArf01@firma.test", subject: "Complaint about message from 192.0.2.10")
        let raw = BounceWriter.complaint(token: "tokArf01", complainer: "angry@customer.test")
        let result = try outbox.database.ingestBounce(raw: raw, report: report, source: "test", now: Self.now)
        #expect(result.kind == "complaint" && result.messageID == message)
        #expect(result.events.map { [$0.kind, $0.recipient, $0.reason] } == [["complaint", "angry@customer.test", "feedback"]])
        #expect(result.suppressed == ["angry@customer.test"])
        let entry = try #require(try outbox.database.suppressions(now: Self.now).first)
        #expect(entry.bounceReason == "feedback" && entry.expiresAt == nil && entry.reason.hasPrefix("spam complaint"))
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind = 'bounced'") == 0)
    }

    /// The same through the parser: an RFC 5965 report is read as a complaint.
    @Test func parsedComplaintSuppressesTheComplainer() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try outbox.sentMessage(token: "tokArf02", to: ["angry@customer.test"])
        let result = try outbox.database.ingestBounce(raw: BounceWriter.complaint(token: "tokArf02", complainer: "angry@customer.test"),
                                                      source: "test", now: Self.now)
        #expect(result.events.map(\.kind) == ["complaint"] && result.suppressed == ["angry@customer.test"])
    }

    @Test func autoReplyAndDeliveredReportNeverSuppress() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let message = try outbox.sentMessage(token: "tokOoo01", to: ["away@customer.test"])
        let reply = try outbox.database.ingestBounce(raw: BounceWriter.outOfOffice(token: "tokOoo01", from: "away@customer.test"),
                                                     source: "test", now: Self.now)
        #expect(reply.kind == "autoReply" && reply.messageID == message && reply.events.map(\.kind) == ["auto-reply"])
        try outbox.sentMessage(token: "tokDlv01", to: ["fine@customer.test"])
        let delivered = try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokDlv01", recipient: "fine@customer.test",
            status: "2.0.0", diagnostic: "250 2.0.0 Ok: queued", action: "delivered"), source: "test", now: Self.now)
        #expect(delivered.events.map(\.kind) == ["delivery-report"] && delivered.suppressed.isEmpty)
        #expect(try outbox.database.suppressions(now: Self.now).isEmpty)
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind = 'bounced'") == 0)
    }

    @Test func theClaimMarksSuppressedRecipientsInItsOwnTransaction() throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        try outbox.sentMessage(token: "tokGone02", to: ["gone@customer.test"])
        _ = try outbox.database.ingestBounce(raw: BounceWriter.postfix(token: "tokGone02", recipient: "gone@customer.test", status: "5.1.1",
            diagnostic: "550 5.1.1 User unknown"), source: "test", now: Self.now)
        try outbox.database.addSuppression(address: "quiet@customer.test", reason: "operator", now: Self.now)
        let next = try outbox.sentMessage(token: nil, to: ["Gone@Customer.test", "quiet@customer.test", "fine@customer.test"], state: "pending")
        let claimed = try outbox.database.claimBatch(leaseOwner: "t", limit: 10, now: Self.now + 1, dueBy: Self.now + 1, leaseUntil: Self.now + 60_000)
        let message = try #require(claimed.messages.first { $0.id == next })
        #expect(message.recipients.map(\.state) == [.suppressed, .suppressed, .pending])
        #expect(try outbox.recipientStates(next) == ["Gone@customer.test": "suppressed", "quiet@customer.test": "suppressed", "fine@customer.test": "pending"])
        let events = try outbox.events(kind: "suppressed").filter { $0["message_id"] as Int64? == next }
        #expect(events.map { $0["recipient"] as String } == ["Gone@customer.test", "quiet@customer.test"])
        #expect(events.first?["reason"] as String? == "userunknown")

        // A failing suppression check fails the claim: nothing is leased, so nothing is sent.
        try outbox.database.pool.write { db in try db.execute(sql: "ALTER TABLE suppression RENAME TO suppression_gone") }
        let again = try outbox.sentMessage(token: nil, to: ["fine@customer.test"], state: "pending")
        #expect(throws: (any Error).self) {
            try outbox.database.claimBatch(leaseOwner: "t", limit: 10, now: Self.now + 2, dueBy: Self.now + 2, leaseUntil: Self.now + 60_000)
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM message WHERE id = \(again) AND state = 'queued'") == 1)
    }
}
