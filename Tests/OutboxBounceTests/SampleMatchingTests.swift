import Foundation
import GRDB
import Testing
import OutboxCore
@testable import OutboxStore

/// Every sample bounce, ingested against a sent message carrying the sample's token.
@Suite struct SampleMatchingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let token: String
        let recipients: [String]
        /// Expected event kind per recipient, in order.
        let kinds: [String]
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "01-postfix-dsn-failed.eml", token: "q7Hk2mA9", recipients: ["nobody@example.org"], kinds: ["bounced"]),
        Case(file: "02-postfix-dsn-delay.eml", token: "D3lay001", recipients: ["slow@example.net"], kinds: ["delayed"]),
        Case(file: "03-gmail-dsn-two-recipients-base64.eml", token: "G00gle77", recipients: ["gone.user@gmail.com", "full.box@gmail.com"],
             kinds: ["bounced", "bounced"]),
        Case(file: "04-exchange-dsn.eml", token: "Ex0365xx", recipients: ["ghost@contoso.com"], kinds: ["bounced"]),
        Case(file: "05-dsn-success-relayed.eml", token: "Succ3ss1", recipients: ["happy@example.org"], kinds: ["delivery-report"]),
        Case(file: "06-qmail.eml", token: "Qm41lTok", recipients: ["nosuch@oldhost.example", "quota@oldhost.example"], kinds: ["bounced", "bounced"]),
        Case(file: "07-exim-failed.eml", token: "Ex1mF41l", recipients: ["missing@exim.example"], kinds: ["bounced"]),
        Case(file: "08-exim-delay.eml", token: "Ex1mD3l4", recipients: ["later@exim.example"], kinds: ["delayed"]),
        Case(file: "09-postfix-old-nodsn.eml", token: "P0stOld1", recipients: ["olduser@legacy.example"], kinds: ["bounced"]),
        Case(file: "10-exchange-text.eml", token: "ExTxt001", recipients: ["left.company@corp.example"], kinds: ["bounced"]),
        Case(file: "11-yahoo.eml", token: "Yah00abc", recipients: ["closed.account@yahoo.com"], kinds: ["bounced"]),
        Case(file: "12-groupwise.eml", token: "Gr0upW1s", recipients: ["mkowalski@gw.example"], kinds: ["bounced"]),
        Case(file: "13-generic-plain.eml", token: "Gen3ric1", recipients: ["recipient@smallhost.example"], kinds: ["bounced"]),
        Case(file: "14-out-of-office.eml", token: "0ff1ce00", recipients: ["customer@example.com"], kinds: ["auto-reply"]),
        Case(file: "17-truncated-dsn.eml", token: "Trunc4t3", recipients: ["cut@example.com"], kinds: ["bounced"]),
        Case(file: "18-broken-boundary-qmail.eml", token: "Br0ken01", recipients: ["lost@broken.example"], kinds: ["bounced"]),
        Case(file: "19-exchange-2003.eml", token: "Exch2003", recipients: ["joks@old-exchange.example", "anna@old-exchange.example"],
             kinds: ["bounced", "bounced"]),
    ]

    @Test(arguments: cases)
    func sampleIsMatchedByVERPAndRecorded(_ sample: Case) throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let other = try outbox.sentMessage(token: "decoy", to: sample.recipients)
        let message = try outbox.sentMessage(token: sample.token, to: sample.recipients)
        let result = try outbox.database.ingestBounce(raw: try BounceSample.bytes(sample.file), source: "test", now: BounceOutbox.now)

        #expect(result.messageID == message && result.matchedBy == .verp)
        let recipientEvents = result.events.filter { $0.kind != "sender-problem" }
        #expect(recipientEvents.map(\.kind) == sample.kinds)
        #expect(result.events.allSatisfy { $0.messageID == message })
        if sample.kinds.first != "auto-reply" { #expect(recipientEvents.map(\.recipient) == sample.recipients) }
        let states = try outbox.recipientStates(message)
        for (address, kind) in zip(sample.recipients, sample.kinds) {
            #expect(states[address] == (kind == "bounced" ? "bounced" : "sent"), "\(address)")
        }
        // What the policy makes of the parser's reading: dead addresses suppressed, sender
        // problems charged to the owner, every bounce event with its reason and severity.
        let reported = BounceParser().parse(try BounceSample.bytes(sample.file)).perRecipient.filter { $0.action == .failed }
        let decisions = reported.map { ($0.finalRecipient, BounceSuppressionPolicy.standard.decision(for: $0)) }
        #expect(result.suppressed == decisions.filter { $0.1 == .permanent }.map(\.0))
        #expect(result.events.filter { $0.kind == "sender-problem" }.map(\.recipient) == decisions.filter { $0.1 == .senderProblem }.map(\.0))
        #expect(recipientEvents.filter { $0.kind == "bounced" || $0.kind == "delayed" }.allSatisfy { $0.reason != nil && $0.severity != nil })
        #expect(try outbox.recipientStates(other).values.allSatisfy { $0 == "sent" }, "the decoy is untouched")
        #expect(try outbox.count("SELECT COUNT(*) FROM event WHERE kind <> 'enqueued' AND detail NOT LIKE '%[bounce #\(result.bounceID)]'") == 0)
    }

    @Test(arguments: ["15-automatic-reply-precedence.eml", "16-normal-reply.eml"])
    func messagesWithoutTokenAreKeptAsEvents(_ file: String) throws {
        let outbox = try BounceOutbox()
        defer { outbox.cleanUp() }
        let raw = try BounceSample.bytes(file)
        let result = try outbox.database.ingestBounce(raw: raw, source: "test", now: BounceOutbox.now)
        #expect(result.events.count == 1 && result.messageID == nil && result.suppressed.isEmpty)
        #expect(result.events[0].kind == (file.hasPrefix("15") ? "auto-reply" : "not-a-bounce"))
        #expect(try outbox.database.bounceRaw(id: result.bounceID) == raw)
        #expect(try outbox.count("SELECT COUNT(*) FROM suppression") == 0)
    }
}
