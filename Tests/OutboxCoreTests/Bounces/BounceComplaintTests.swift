import Testing
@testable import OutboxCore

/// Spam complaints: RFC 5965 ARF reports and the non-standard feedback loops.
@Suite struct BounceComplaintTests {
    static func parse(_ text: String) -> BounceReport {
        BounceParser().parse(Array(text.utf8))
    }

    static func arf(feedbackType: String = "abuse", reportFields: String, returnedTo: String = "reader@isp.example") -> String {
        """
        From: <fbl@isp.example>
        To: <abuse@shop.example>
        Subject: FW: Your invoice
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="part1"

        --part1
        Content-Type: text/plain; charset="US-ASCII"

        This is an email abuse report for an email message received from IP 192.0.2.1.
        --part1
        Content-Type: message/feedback-report

        Feedback-Type: \(feedbackType)
        User-Agent: SomeFBL/1.0
        Version: 1
        Source-IP: 192.0.2.1
        \(reportFields)
        --part1
        Content-Type: message/rfc822
        Content-Disposition: inline

        From: <billing@shop.example>
        To: \(returnedTo)
        Subject: Your invoice
        Message-ID: <inv-42@shop.example>
        X-Outbox-Token: T0k3n42

        body
        --part1--
        """
    }

    @Test func rfc5965ReportNamesTheComplainingRecipients() {
        let report = Self.parse(Self.arf(reportFields: """
            Original-Rcpt-To: one@isp.example
            Original-Rcpt-To: <two@isp.example>
            Reporting-MTA: dns; fbl.isp.example
            """))
        #expect(report.kind == .complaint)
        #expect(report.format == .feedbackReport)
        #expect(report.perRecipient.map(\.finalRecipient) == ["one@isp.example", "two@isp.example"])
        #expect(report.perRecipient.allSatisfy { $0.action == .delivered && $0.reason == .feedback })
        #expect(report.perRecipient.allSatisfy { !$0.isHardFailure })
        #expect(report.returnedMessageID == "inv-42@shop.example")
        #expect(report.returnedHeaders["X-Outbox-Token"] == "T0k3n42")
        #expect(report.reportingMTA == "fbl.isp.example")
        #expect(report.perRecipient[0].diagnosticCode?.contains("abuse") == true)
    }

    @Test func removalRecipientAndReturnedToAreUsedWhenNeeded() {
        let removal = Self.parse(Self.arf(reportFields: "Removal-Recipient: leaver@isp.example"))
        #expect(removal.perRecipient.map(\.finalRecipient) == ["leaver@isp.example"])
        let fromTo = Self.parse(Self.arf(reportFields: "Arrival-Date: Thu, 8 Mar 2026 14:00:00 EDT"))
        #expect(fromTo.kind == .complaint)
        #expect(fromTo.perRecipient.map(\.finalRecipient) == ["reader@isp.example"])
    }

    @Test func redactedComplaintStillMatchesItsMessage() {
        let report = Self.parse(Self.arf(reportFields: "Redacted-Address: redacted", returnedTo: "undisclosed-recipients:;"))
        #expect(report.kind == .complaint)
        #expect(report.perRecipient.isEmpty)
        #expect(report.returnedHeaders["X-Outbox-Token"] == "T0k3n42")
    }

    @Test func authenticationFailureReportIsNotAComplaint() {
        let report = Self.parse(Self.arf(feedbackType: "auth-failure", reportFields: "Original-Rcpt-To: one@isp.example"))
        #expect(report.kind == .notABounce)
        #expect(report.format == .feedbackReport)
        #expect(report.perRecipient.isEmpty)
    }

    @Test func hotmailJunkMailReportingProgram() {
        let report = Self.parse("""
            From: staff@hotmail.com
            To: abuse-report@shop.example
            Subject: complaint about message from 192.0.2.222
            Content-Type: multipart/mixed; boundary="JMRP"

            --JMRP
            Content-Type: message/rfc822

            X-HmXmrOriginalRecipient: <user@hotmail.example>
            From: billing@shop.example
            To: someone-else@hotmail.example
            Message-ID: <jmrp-1@shop.example>

            body
            --JMRP--
            """)
        #expect(report.kind == .complaint)
        #expect(report.perRecipient.map(\.finalRecipient) == ["user@hotmail.example"])
        #expect(report.returnedMessageID == "jmrp-1@shop.example")
    }

    @Test func amazonSESComplaintNotification() {
        let report = Self.parse("""
            From: no-reply@sns.amazonaws.com
            Subject: AWS Notification Message
            Content-Type: text/plain; charset=UTF-8

            {"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"reader@isp.example"}],"complaintFeedbackType":"abuse"},"mail":{"headers":[{"name":"Message-ID","value":"<ses-9@shop.example>"},{"name":"X-Outbox-Token","value":"S3sT0k"}]}}
            """)
        #expect(report.kind == .complaint)
        #expect(report.format == .amazonSESNotification)
        #expect(report.perRecipient.map(\.finalRecipient) == ["reader@isp.example"])
        #expect(report.perRecipient[0].reason == .feedback)
        #expect(report.returnedMessageID == "ses-9@shop.example")
        #expect(report.returnedHeaders["X-Outbox-Token"] == "S3sT0k")
    }
}
