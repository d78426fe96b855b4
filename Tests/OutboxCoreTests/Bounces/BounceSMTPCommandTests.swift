import Testing
@testable import OutboxCore

/// Which SMTP command a failing reply answered (``BounceRecipient/smtpCommand``), read from
/// notices written here in each MTA's own layout (addresses and hosts made up), and how the
/// classifier uses it: unknown-user wording means a dead address only at `RCPT`.
@Suite struct BounceSMTPCommandTests {
    static func parse(_ text: String) -> BounceReport {
        BounceParser().parse(Array(text.utf8))
    }

    static func postfix(reply: String, command: String) -> String {
        """
        From: MAILER-DAEMON@mail.shop.example (Mail Delivery System)
        Subject: Undelivered Mail Returned to Sender
        To: invoices@shop.example
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

        --B1
        Content-Type: text/plain; charset=us-ascii

        This is the mail system at host mail.shop.example.

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients.

        <anna@example.org>: host mx.example.org[192.0.2.7] said: \(reply)
            (in reply to \(command)
            command)

        --B1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mail.shop.example

        Final-Recipient: rfc822; anna@example.org
        Action: failed
        Status: 5.0.0
        Remote-MTA: dns; mx.example.org
        Diagnostic-Code: smtp; \(reply)

        --B1--
        """
    }

    /// Postfix writes the command in its text part only, folded over two lines.
    @Test func postfixCommandFromTheTextPart() {
        let atRecipient = Self.parse(Self.postfix(reply: "550 User not found", command: "RCPT TO"))
        #expect(atRecipient.perRecipient.map(\.smtpCommand) == ["RCPT"])
        #expect(atRecipient.perRecipient.first?.reason == .userunknown)
        #expect(atRecipient.perRecipient.first?.severity == .hard)

        let afterData = Self.parse(Self.postfix(reply: "550 User not found", command: "end of DATA"))
        #expect(afterData.perRecipient.map(\.smtpCommand) == ["DATA"])
        #expect(afterData.perRecipient.first?.reason == .filtered)
        #expect(afterData.perRecipient.first?.severity == .soft)

        // A bare "Recipient address rejected." names the mailbox only at RCPT.
        let bare = Self.parse(Self.postfix(reply: "550 <anna@example.org>: Recipient address rejected.", command: "RCPT TO"))
        #expect(bare.perRecipient.first?.reason == .userunknown)

        let atSender = Self.parse(Self.postfix(reply: "550 User not found", command: "MAIL FROM"))
        #expect(atSender.perRecipient.map(\.smtpCommand) == ["MAIL"])
        #expect(atSender.perRecipient.first?.reason != .userunknown)
    }

    /// A policy refusal at RCPT stays the sender's problem.
    @Test func blockedAtRecipientIsNotADeadAddress() {
        let report = Self.parse(Self.postfix(
            reply: "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org",
            command: "RCPT TO"))
        #expect(report.perRecipient.first?.smtpCommand == "RCPT")
        #expect(report.perRecipient.first?.reason == .blocked)
    }

    @Test func eximAfterRcpt() {
        let report = Self.parse("""
            From: Mail Delivery System <Mailer-Daemon@mx.shop.example>
            Subject: Mail delivery failed: returning message to sender
            X-Failed-Recipients: bert@example.net

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              bert@example.net
                host mx.example.net [192.0.2.9]
                SMTP error from remote mail server after RCPT TO:<bert@example.net>:
                550 Unknown user

            ------ This is a copy of the message, including all the headers. ------
            Message-Id: <exim-1@shop.example>
            """)
        #expect(report.perRecipient.map(\.smtpCommand) == ["RCPT"])
        #expect(report.perRecipient.first?.reason == .userunknown)
    }

    @Test func qmailMostProgress() {
        let report = Self.parse("""
            From: MAILER-DAEMON@shop.example
            Subject: failure notice

            Hi. This is the qmail-send program at shop.example.
            I'm afraid I wasn't able to deliver your message to the following addresses.
            This is a permanent error; I've given up. Sorry it didn't work out.

            <carl@example.com>:
            Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote host 192.0.2.32 said: 550 Unknown user carl@example.com . (#5.5.0)

            --- Below this line is a copy of the message.
            """)
        #expect(report.perRecipient.map(\.smtpCommand) == ["RCPT"])
        #expect(report.perRecipient.first?.reason == .userunknown)
    }

    /// X3's "Technical details" name the command before the host.
    @Test func x3TechnicalDetails() {
        let report = Self.parse("""
            From: Mail Delivery Subsystem <mailer-daemon@x3.example.com>
            Subject: Delivery Status Notification (Failure)

            ============================================================================
                  This is an automatically generated Delivery Status Notification.
            Delivery to the following recipients failed permanently:
               * dora@example.com
            ============================================================================
                                         Technical details:
            SMTP:RCPT host 192.0.2.8: 553 5.3.0 <dora@example.com>... No such user here
            ============================================================================
            """)
        #expect(report.perRecipient.map(\.finalRecipient) == ["dora@example.com"])
        #expect(report.perRecipient.first?.smtpCommand == "RCPT")
        #expect(report.perRecipient.first?.reason == .userunknown)
    }

    /// Two recipients of one Sendmail 5 transcript: each gets the reply and command before
    /// its own line, not the other's.
    @Test func sendmailTranscriptGivesEachRecipientItsOwnReply() {
        let report = Self.parse("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>
            Subject: Returned mail: User unknown
            To: sender@shop.example

               ----- Transcript of session follows -----
            While talking to mx1.example.org:
            >>> MAIL From:<sender@shop.example>
            <<< 501 <sender@shop.example>... no access from mail server [192.0.2.55] which is an open relay.
            554 <erik@example.org>... Remote protocol error
            550 example.org (smtp)... 550 Host unknown
            While talking to mx.example.edu:
            >>> RCPT To:<fay@example.edu>
            <<< 550 Requested User Mailbox not found. No such user here.
            550 <fay@example.edu>... User unknown
               ----- Unsent message follows -----
            From: sender@shop.example
            Message-Id: <v5-2@shop.example>
            """)
        #expect(report.perRecipient.map(\.finalRecipient) == ["erik@example.org", "fay@example.edu"])
        let erik = report.perRecipient[0], fay = report.perRecipient[1]
        #expect(erik.smtpCommand == "MAIL")
        #expect(erik.diagnosticCode?.contains("open relay") == true)
        #expect(erik.diagnosticCode?.contains("Host unknown") == false)
        #expect(erik.reason != .userunknown)
        #expect(fay.smtpCommand == "RCPT")
        #expect(fay.diagnosticCode?.contains("No such user here") == true)
        #expect(fay.diagnosticCode?.contains("open relay") == false)
        #expect(fay.reason == .userunknown)
    }

    /// A quoted RCPT belongs to the address it names only.
    @Test func transcriptRcptForAnotherAddressDoesNotApply() {
        let transcript = BounceSMTPTranscript(Array("""
            >>> RCPT To:<gus@example.org>
            <<< 550 5.1.1 unknown
            550 5.1.1 <gus@example.org>... User unknown
            <<< 452 4.2.2 over quota
            452 <hal@example.org>... Mailbox full
            """.utf8)[...], limits: BounceLimits())
        #expect(transcript.entries.map(\.address) == ["gus@example.org", "hal@example.org"])
        #expect(transcript.entries.map(\.command) == ["RCPT", nil])
        #expect(transcript.entries[1].diagnostic == "452 4.2.2 over quota 452 <hal@example.org>... Mailbox full")
    }

    /// InterScan turns the arrows round and writes no line of its own after the reply.
    @Test func interScanTranscript() {
        let transcript = BounceSMTPTranscript(Array("""
            Sent <<< RCPT TO:<ida@example.co.jp>
            Received >>> 550 5.1.1 <ida@example.co.jp>... user unknown
            """.utf8)[...], limits: BounceLimits())
        #expect(transcript.entries == [.init(
            address: "ida@example.co.jp", diagnostic: "550 5.1.1 <ida@example.co.jp>... user unknown", command: "RCPT")])
    }

    @Test(arguments: [
        ("host mx.example.org said: 550 5.1.1 unknown (in reply to RCPT TO command)", "RCPT"),
        ("SMTP error from remote mail server after MAIL FROM:<a@b.example> SIZE=1234: 550 denied", "MAIL"),
        ("SMTP error from remote mail server after end of data: 550 5.7.1 spam", "DATA"),
        ("Connected to 192.0.2.1 but sender was rejected.", "MAIL"),
        ("192.0.2.1 does not like recipient. Remote host said: 550 no such user", "RCPT"),
        ("192.0.2.1 failed on DATA command.", "DATA"),
        ("host mx.example.org refused to talk to me: 554 go away", "HELO"),
        ("Unexpected response to EHLO/HELO: 421 busy", "EHLO"),
        ("Additional RCPT TO generated following response: 550 No such user", "RCPT"),
        ("SMTP connection failed, connection refused", "CONN"),
        (">>> MAIL From:<a@b.example> >>> RCPT To:<c@d.example> >>> DATA <<< 554 rejected", "DATA"),
        ("550 5.1.1 The email account that you tried to reach does not exist", nil),
    ] as [(String, String?)])
    func commandFromWording(text: String, command: String?) {
        #expect(BounceSMTPCommand.command(in: text) == command)
    }

    /// The classifier on the same reply, told the command.
    @Test func classifierNeedsRcptForUnknownUserWording() {
        func reason(_ command: String?) -> BounceReason {
            let recipient = BounceRecipient(
                finalRecipient: "kim@example.org", action: .failed, status: EnhancedStatusCode(statusClass: 5, subject: 0, detail: 0),
                diagnosticCode: "550 Unknown user kim@example.org", smtpReplyCode: 550, smtpCommand: command)
            return BounceReasonClassifier.reason(for: recipient, in: BounceReport(kind: .deliveryFailure, format: .rfc3464))
        }
        #expect(reason("RCPT") == .userunknown)
        #expect(reason("DATA") == .filtered)
        #expect(reason(nil) == .filtered)
        #expect(reason("MAIL") != .userunknown)
    }
}
