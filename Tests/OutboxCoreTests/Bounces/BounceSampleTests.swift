import Testing
@testable import OutboxCore

@Suite struct BounceSampleTests {
    struct Expectation: Sendable, CustomStringConvertible {
        var file: String
        var kind: BounceKind
        var format: BounceFormat
        /// address, action, status, a fragment of the diagnostic (or nil)
        var recipients: [(String, BounceAction, String, String?)] = []
        var messageID: String? = nil
        var token: String? = nil
        var verp: String? = nil
        var description: String { file }
    }

    static let expectations: [Expectation] = [
        Expectation(file: "01-postfix-dsn-failed.eml", kind: .deliveryFailure, format: .rfc3464,
                    recipients: [("nobody@example.org", .failed, "5.1.1", "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table")],
                    messageID: "q7Hk2mA9@outbox.example", token: "q7Hk2mA9", verp: "q7Hk2mA9"),
        Expectation(file: "02-postfix-dsn-delay.eml", kind: .delayWarning, format: .rfc3464,
                    recipients: [("slow@example.net", .delayed, "4.4.1", "Connection timed out")],
                    messageID: "D3lay001@outbox.example", token: "D3lay001", verp: "D3lay001"),
        Expectation(file: "03-gmail-dsn-two-recipients-base64.eml", kind: .deliveryFailure, format: .rfc3464,
                    recipients: [("gone.user@gmail.com", .failed, "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist."),
                                 ("full.box@gmail.com", .failed, "5.2.2", "out of storage space")],
                    messageID: "G00gle77@outbox.example", token: "G00gle77", verp: "G00gle77"),
        Expectation(file: "04-exchange-dsn.eml", kind: .deliveryFailure, format: .rfc3464,
                    recipients: [("ghost@contoso.com", .failed, "5.1.10", "RESOLVER.ADR.RecipientNotFound")],
                    messageID: "Ex0365xx@outbox.example", token: "Ex0365xx", verp: "Ex0365xx"),
        Expectation(file: "05-dsn-success-relayed.eml", kind: .deliverySuccess, format: .rfc3464,
                    recipients: [("happy@example.org", .relayed, "2.0.0", "250 2.0.0 Ok")], verp: "Succ3ss1"),
        Expectation(file: "06-qmail.eml", kind: .deliveryFailure, format: .qmail,
                    recipients: [("nosuch@oldhost.example", .failed, "5.1.1", "Sorry, no mailbox here by that name."),
                                 ("quota@oldhost.example", .failed, "5.2.2", "552 sorry, mailbox quota exceeded")],
                    messageID: "Qm41lTok@outbox.example", token: "Qm41lTok", verp: "Qm41lTok"),
        Expectation(file: "07-exim-failed.eml", kind: .deliveryFailure, format: .exim,
                    recipients: [("missing@exim.example", .failed, "5.1.1", "550 5.1.1 <missing@exim.example>: Recipient address rejected")],
                    messageID: "Ex1mF41l@outbox.example", token: "Ex1mF41l", verp: "Ex1mF41l"),
        Expectation(file: "08-exim-delay.eml", kind: .delayWarning, format: .exim,
                    recipients: [("later@exim.example", .delayed, "4.7.1", "Greylisted")], verp: "Ex1mD3l4"),
        Expectation(file: "09-postfix-old-nodsn.eml", kind: .deliveryFailure, format: .postfix,
                    recipients: [("olduser@legacy.example", .failed, "5.1.1", "User unknown")],
                    messageID: "P0stOld1@outbox.example", token: "P0stOld1", verp: "P0stOld1"),
        Expectation(file: "10-exchange-text.eml", kind: .deliveryFailure, format: .exchange,
                    recipients: [("left.company@corp.example", .failed, "5.1.1", "RESOLVER.ADR.RecipNotFound")],
                    messageID: "ExTxt001@outbox.example", token: "ExTxt001", verp: "ExTxt001"),
        Expectation(file: "11-yahoo.eml", kind: .deliveryFailure, format: .yahoo,
                    recipients: [("closed.account@yahoo.com", .failed, "5.1.1", "554 delivery error: dd This user doesn't have a yahoo.com account")],
                    messageID: "Yah00abc@outbox.example", verp: "Yah00abc"),
        Expectation(file: "12-groupwise.eml", kind: .deliveryFailure, format: .groupwise,
                    recipients: [("mkowalski@gw.example", .failed, "5.1.1", "user not found")],
                    messageID: "Gr0upW1s@outbox.example", verp: "Gr0upW1s"),
        Expectation(file: "13-generic-plain.eml", kind: .deliveryFailure, format: .genericText,
                    recipients: [("recipient@smallhost.example", .failed, "5.2.2", "because the mailbox is full")], verp: "Gen3ric1"),
        Expectation(file: "14-out-of-office.eml", kind: .autoReply, format: .autoReplyHeaders, verp: "0ff1ce00"),
        Expectation(file: "15-automatic-reply-precedence.eml", kind: .autoReply, format: .autoReplyHeaders),
        Expectation(file: "16-normal-reply.eml", kind: .notABounce, format: .none),
        Expectation(file: "17-truncated-dsn.eml", kind: .deliveryFailure, format: .rfc3464,
                    recipients: [("cut@example.com", .failed, "5.7.1", "554 5.7.1 Service unavail")], verp: "Trunc4t3"),
        Expectation(file: "18-broken-boundary-qmail.eml", kind: .deliveryFailure, format: .qmail,
                    recipients: [("lost@broken.example", .failed, "5.1.2", "couldn't find any host named")], verp: "Br0ken01"),
        Expectation(file: "19-exchange-2003.eml", kind: .deliveryFailure, format: .exchange,
                    recipients: [("joks@old-exchange.example", .failed, "5.7.1", "550 5.7.1 Unable to relay"),
                                 ("anna@old-exchange.example", .failed, "5.1.1", "does not exist")], verp: "Exch2003"),
    ]

    @Test(arguments: expectations)
    func sampleParsesAsExpected(_ expected: Expectation) throws {
        for (variant, bytes) in [("LF", try BounceSample.bytes(expected.file)), ("CRLF", BounceSample.crlf(try BounceSample.bytes(expected.file)))] {
            let report = BounceParser().parse(bytes)
            let context = Comment(rawValue: "\(expected.file) [\(variant)]: \(report)")
            #expect(report.kind == expected.kind, context)
            #expect(report.format == expected.format, context)
            #expect(report.perRecipient.count == expected.recipients.count, context)
            for (got, want) in zip(report.perRecipient, expected.recipients) {
                #expect(got.finalRecipient == want.0, context)
                #expect(got.action == want.1, context)
                #expect(got.status?.description == want.2, context)
                if let fragment = want.3 {
                    #expect(got.diagnosticCode?.contains(fragment) == true, context)
                }
            }
            #expect(report.returnedMessageID == expected.messageID, context)
            if let token = expected.token {
                #expect(report.returnedHeaders["X-Outbox-Token"] == token, context)
            }
            #expect(report.verpTokens().first == expected.verp, context)
        }
    }

    @Test func everySampleFileHasAnExpectation() throws {
        #expect(try BounceSample.names() == Self.expectations.map(\.file))
    }

    @Test func autoRepliesAreNeverFailures() throws {
        for name in try BounceSample.names() {
            let report = BounceParser().parse(try BounceSample.bytes(name))
            if report.kind == .autoReply {
                #expect(report.perRecipient.isEmpty, "\(name)")
                #expect(report.perRecipient.allSatisfy { !$0.isHardFailure }, "\(name)")
            }
        }
    }

    @Test func perMessageFieldsAndDecodedHeaders() throws {
        let report = BounceParser().parse(try BounceSample.bytes("01-postfix-dsn-failed.eml"))
        #expect(report.reportingMTA == "mail.outbox.example")
        #expect(report.arrivalDate == "Tue, 3 Mar 2026 09:59:58 +0200 (EET)")
        #expect(report.returnedHeaders["Subject"] == "Arve nr 42 – märts")
        #expect(report.returnedHeaders["From"] == "Arved OÜ <arved@firma.example>")
        #expect(report.envelopeRecipients == ["bounces+q7Hk2mA9@bounce.outbox.example"])
        let recipient = try #require(report.perRecipient.first)
        #expect(recipient.originalRecipient == "nobody@example.org")
        #expect(recipient.remoteMTA == "mx.example.org")
        #expect(recipient.smtpReplyCode == 550)
        #expect(recipient.isHardFailure)

        let exchange = BounceParser().parse(try BounceSample.bytes("04-exchange-dsn.eml"))
        #expect(exchange.subject == "Undeliverable: Arve nädal 10")
        #expect(exchange.returnedHeaders["Subject"] == "Arve nädal 10")

        let success = BounceParser().parse(try BounceSample.bytes("05-dsn-success-relayed.eml"))
        #expect(success.originalEnvelopeID == "Succ3ss1")
        #expect(success.perRecipient.first?.isHardFailure == false)
    }

    @Test func callerNamedReturnedHeaders() throws {
        let parser = BounceParser(returnedHeaderNames: ["x-outbox-token", "Return-Path"])
        let report = parser.parse(try BounceSample.bytes("04-exchange-dsn.eml"))
        #expect(report.returnedHeaders == ["x-outbox-token": "Ex0365xx", "Return-Path": "bounces+Ex0365xx@bounce.outbox.example"])
        #expect(report.returnedMessageID == "Ex0365xx@outbox.example")
    }

    @Test func delayWarningsAreNotHardFailures() throws {
        for name in ["02-postfix-dsn-delay.eml", "08-exim-delay.eml"] {
            let report = BounceParser().parse(try BounceSample.bytes(name))
            #expect(report.kind == .delayWarning)
            #expect(report.perRecipient.allSatisfy { !$0.isHardFailure })
        }
    }

    @Test func truncatedReportSaysSo() throws {
        let report = BounceParser().parse(try BounceSample.bytes("17-truncated-dsn.eml"))
        #expect(report.anomalies.contains(.unterminatedMultipart))
        let broken = BounceParser().parse(try BounceSample.bytes("18-broken-boundary-qmail.eml"))
        #expect(broken.anomalies.contains(.missingBoundary))
    }
}
