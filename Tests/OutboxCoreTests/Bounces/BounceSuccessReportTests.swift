import Testing
@testable import OutboxCore

/// Reports of success (delivered, relayed, expanded) are never failures; a report that
/// mixes them names only the failed recipients as failed.
@Suite struct BounceSuccessReportTests {
    static func dsn(_ groups: [(String, String, String)]) -> [UInt8] {
        let fields = groups.map { "Final-Recipient: rfc822; \($0.0)\nAction: \($0.1)\nStatus: \($0.2)\n" }.joined(separator: "\n")
        return Array("""
            From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
            Subject: Successful Mail Delivery Report
            Content-Type: multipart/report; report-type=delivery-status; boundary="R"

            --R
            Content-Type: text/plain

            This is the mail system at host mx.example.org.
            --R
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.org

            \(fields)
            --R
            Content-Type: text/rfc822-headers

            Message-ID: <ok-1@shop.example>
            --R--
            """.utf8)
    }

    @Test(arguments: ["delivered", "relayed", "expanded"])
    func successActionsAreASuccessReport(_ action: String) {
        let report = BounceParser().parse(Self.dsn([("happy@example.org", action, "2.0.0")]))
        #expect(report.kind == .deliverySuccess)
        #expect(report.perRecipient.count == 1)
        #expect(report.perRecipient.allSatisfy { !$0.isHardFailure && $0.reason == .delivered })
        #expect(report.returnedMessageID == "ok-1@shop.example")
    }

    @Test func mixedReportFailsOnlyTheFailedRecipient() {
        let report = BounceParser().parse(Self.dsn([
            ("happy@example.org", "delivered", "2.0.0"), ("gone@example.org", "failed", "5.1.1"),
        ]))
        #expect(report.kind == .deliveryFailure)
        #expect(report.perRecipient.map(\.action) == [.delivered, .failed])
        #expect(report.perRecipient[0].isHardFailure == false)
    }

    @Test func amazonSESDeliveryNotificationIsASuccess() {
        let report = BounceParser().parse(Array("""
            From: SES <no-reply@sns.amazonaws.com>
            Subject: AWS Notification Message
            Content-Type: text/plain; charset=UTF-8

            {"notificationType":"Delivery","mail":{"messageId":"0101-abc","commonHeaders":{"messageId":"<d-1@shop.example>"}},"delivery":{"recipients":["happy@example.org"],"smtpResponse":"250 2.6.0 Message received","reportingMTA":"a1.smtp-out.example"}}
            """.utf8))
        #expect(report.kind == .deliverySuccess)
        #expect(report.perRecipient.map(\.finalRecipient) == ["happy@example.org"])
        #expect(report.perRecipient[0].action == .delivered)
        #expect(report.returnedMessageID == "d-1@shop.example")
    }

    @Test func amazonSESBounceInAFoldedSNSEnvelope() {
        // SNS wraps the notification as a JSON string; mail systems fold its long line.
        let report = BounceParser().parse(Array("""
            From: SES <no-reply@sns.amazonaws.com>
            Subject: AWS Notification Message
            Content-Type: text/plain; charset=UTF-8

            {
              "Type" : "Notification",
              "Message" : "{\\"notificationType\\":\\"Bounce\\",\\"bounce\\":{\\"bounceType\\":\\"Permanent\\",\\"bouncedRecipie
             nts\\":[{\\"emailAddress\\":\\"gone@example.org\\",\\"action\\":\\"failed\\",\\"status\\":\\"5.1.1\\",\\"diagnosticCode\\":\\"smtp; 550 5.1.1 user unknown\\"}]},\\"mail\\":{\\"headers\\":[{\\"name\\":\\"X-Outbox-Token\\",\\"value\\":\\"SesT0k\\"}]}}"
            }
            """.utf8))
        #expect(report.kind == .deliveryFailure)
        #expect(report.format == .amazonSESNotification)
        #expect(report.perRecipient.map(\.finalRecipient) == ["gone@example.org"])
        #expect(report.perRecipient[0].status?.description == "5.1.1")
        #expect(report.perRecipient[0].diagnosticCode == "550 5.1.1 user unknown")
        #expect(report.returnedHeaders["X-Outbox-Token"] == "SesT0k")
    }
}
