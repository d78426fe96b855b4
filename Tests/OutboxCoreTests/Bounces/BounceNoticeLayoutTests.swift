import Testing
@testable import OutboxCore

/// The recipient recognisers for non-standard notices, each on a message written in the
/// layout its MTA uses (addresses and hosts are made up).
@Suite struct BounceNoticeLayoutTests {
    static func parse(_ text: String) -> BounceReport {
        BounceParser().parse(Array(text.utf8))
    }

    static func addresses(_ report: BounceReport) -> [String] {
        report.perRecipient.map(\.finalRecipient)
    }

    @Test func sendmailVersion5Transcript() {
        let report = Self.parse("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>
            Subject: Returned mail: User unknown
            To: sender@shop.example

               ----- Transcript of session follows -----
            While talking to mx.example.org:
            >>> RCPT To:<ghost@example.org>
            <<< 550 <ghost@example.org>, User Unknown
            550 <ghost@example.org>... User unknown
            554 <other@example.net>... 550 Host unknown (Authoritative answer from name server)
               ----- Unsent message follows -----
            From: sender@shop.example
            To: ghost@example.org
            Message-Id: <v5-1@shop.example>
            Subject: Invoice

            body
            """)
        #expect(report.kind == .deliveryFailure)
        #expect(report.format == .sendmail)
        #expect(Self.addresses(report) == ["ghost@example.org", "other@example.net"])
        #expect(report.perRecipient[0].diagnosticCode?.contains("User Unknown") == true)
        #expect(report.perRecipient[1].diagnosticCode?.contains("Host unknown") == true)
        #expect(report.returnedMessageID == "v5-1@shop.example")
    }

    @Test func sendmailWithoutRecipientFallsBackToTheReturnedMessage() {
        let report = Self.parse("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.com>
            Subject: Returned mail: Cannot send message for 5 days

               ----- Transcript of session follows -----
            421 mx.example.org (smtp)... Deferred: Connection timed out
               ----- Unsent message follows -----
            From: sender@shop.example
            To: late@example.org
            Subject: Invoice

            body
            """)
        #expect(report.kind == .deliveryFailure)
        #expect(report.format == .returnedMessage)
        #expect(Self.addresses(report) == ["late@example.org"])
        #expect(report.perRecipient[0].diagnosticCode?.contains("Connection timed out") == true)
    }

    @Test func interScanSessionLines() {
        let report = Self.parse("""
            From: "InterScan MSS" <postmaster@gw.example.jp>
            Subject: Mail could not be delivered
            Content-Type: text/plain

            Sent <<< RCPT TO:<nobody@example.jp>
            Received >>> 550 5.1.1 <nobody@example.jp>... user unknown

            """)
        #expect(Self.addresses(report) == ["nobody@example.jp"])
        #expect(report.perRecipient[0].status?.description == "5.1.1")
    }

    @Test func openSMTPDAddressColonReason() {
        let report = Self.parse("""
            From: Mailer Daemon <MAILER-DAEMON@smtpd.example.net>
            Subject: Delivery status notification: error

                Hi!

                This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.

                An error has occurred while attempting to deliver a message for
                the following list of recipients:

            lost@example.com: 550 5.1.1 No such user

                Below is a copy of the original message:

            Subject: hello
            To: lost@example.com
            """)
        #expect(Self.addresses(report) == ["lost@example.com"])
        #expect(report.perRecipient[0].diagnosticCode == "550 5.1.1 No such user")
        #expect(report.perRecipient[0].smtpReplyCode == 550)
    }

    @Test func labelledRecipientLines() {
        for (label, address) in [
            ("Unknown user:", "gone@imail.example"), ("Invalid final delivery userid:", "gone2@imail.example"),
            ("    Recipient:", "<blocked@mobile.example>"), ("Did not reach the following recipient:", "late@corp.example"),
            ("     Could not be delivered to:", "<full@dion.example.jp>"),
        ] {
            let report = Self.parse("""
                From: "Postmaster" <postmaster@imail.example>
                Subject: Undeliverable Mail

                \(label) \(address)

                Original message follows.

                From: sender@shop.example
                To: someone@else.example
                """)
            let expected = address.filter { $0 != "<" && $0 != ">" }
            #expect(Self.addresses(report) == [expected], "\(label)")
            #expect(report.kind == .deliveryFailure, "\(label)")
        }
    }

    @Test func apacheJamesMessageDetails() {
        let report = Self.parse("""
            From: post_master@sms.example.com
            Subject: Re:Test message
            Content-Type: text/plain

            Error: Invalid user address

            Error message below:
            550 - Requested action not taken: no such user here

            Message details:
              Subject: Test message
              MAIL FROM: sender@shop.example
              RCPT TO: 5550100@sms.example.com
              From: sender@shop.example
            """)
        #expect(Self.addresses(report) == ["5550100@sms.example.com"])
        #expect(report.perRecipient[0].diagnosticCode?.contains("no such user here") == true)
    }

    @Test func postmasterMailboxCanFailAndBracketReason() {
        let report = Self.parse("""
            From: MAILER-DAEMON@mail.example.ne.jp
            Subject: Returned Mail: User unknown

               ----- The following addresses had delivery problems -----
            postmaster@mx.example.ne.jp
            someone@mx.example.ne.jp [User unknown]
               ----- Non-delivered information -----
            """)
        #expect(Self.addresses(report) == ["postmaster@mx.example.ne.jp", "someone@mx.example.ne.jp"])
        #expect(report.perRecipient[1].diagnosticCode == "[User unknown]")
    }

    @Test func bulletedAndDottedLines() {
        let report = Self.parse("""
            From: <MAILER-DAEMON@relay.example.net>
            Subject: mail failed, returning to sender

            |------------------------- Failed addresses follow: ---------------------|
             nohost@gone.example.com ... unknown host
            >>> tagged@example.org <tagged@example.org>
            -- dashed@example.org
            |------------------------- Message text follows: ------------------------|
            To: nohost@gone.example.com
            """)
        #expect(Self.addresses(report) == ["nohost@gone.example.com", "tagged@example.org", "dashed@example.org"])
        #expect(report.perRecipient[0].diagnosticCode == "unknown host")
    }

    @Test func eximUsesXFailedRecipientsAndIgnoresPipesAndFiles() {
        let report = Self.parse("""
            X-Failed-Recipients: real@example.com, second@example.com
            From: Mail Delivery System <Mailer-Daemon@exim.example.com>
            To: sender@shop.example
            Subject: Mail delivery failed: returning message to sender

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              pipe to |/usr/local/bin/filter real@example.com
                generated by real@example.com
              /home/user/.mbox/real@example.com
                failed to open mailbox

            ------ This is a copy of the message, including all the headers. ------

            To: real@example.com
            """)
        #expect(Set(Self.addresses(report)) == ["real@example.com", "second@example.com"])
        #expect(!Self.addresses(report).contains { $0.hasPrefix("/") || $0.hasPrefix("|") })
        // The notice gives one text for both: it cannot say which reason is whose.
        #expect(report.perRecipient.allSatisfy { $0.diagnosticCode == nil })
    }

    @Test func reasonBeforeTheListExplainsASingleRecipient() {
        // MailMarshal writes the reason first, then the affected recipients.
        let report = Self.parse("""
            From: postmaster@gw.example.com
            Subject: Undeliverable: Invoice

            Your message:
               From:    sender@shop.example
               Subject: Invoice

            Could not be delivered because of

            550 5.1.1 User unknown

            The following recipients were affected:
                someone@example.com



            Additional Information
            ======================
            Original Sender:    <sender@shop.example>
            """)
        #expect(Self.addresses(report) == ["someone@example.com"])
        #expect(report.perRecipient[0].status?.description == "5.1.1")
        #expect(report.perRecipient[0].diagnosticCode?.contains("550 5.1.1 User unknown") == true)
    }

    @Test func actionBeforeFinalRecipientStaysOneRecipient() {
        // Amazon SES (receiving) writes Action first and Original-Recipient after Final-Recipient.
        let report = Self.parse("""
            From: MAILER-DAEMON@amazonses.example
            Subject: Delivery Status Notification (Failure)
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B
            Content-Type: message/delivery-status

            Reporting-MTA: dns; inbound-smtp.example

            Action: failed
            Final-Recipient: rfc822; temp@example.jp
            Original-Recipient: rfc822; temp@example.jp
            Diagnostic-Code: smtp; 450 4.0.0 Temporary failure
            Status: 4.0.0
            --B--
            """)
        #expect(Self.addresses(report) == ["temp@example.jp"])
        #expect(report.perRecipient[0].action == .failed)
        #expect(report.perRecipient[0].diagnosticCode == "450 4.0.0 Temporary failure")
    }

    @Test func googleGroupsNamesTheGroupOnlyInTheHeader() {
        let report = Self.parse("""
            X-Failed-Recipients: announce@googlegroups.com
            From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
            To: sender@shop.example
            Subject: Delivery Status Notification (Failure)
            Content-Type: text/plain; charset="UTF-8"

            sender@shop.example様

            The group you tried to contact (announce) may not exist, or you may not have permission to post messages to the group.

            ----- Original message -----

            To: announce@googlegroups.com
            """)
        #expect(Self.addresses(report) == ["announce@googlegroups.com"])
        #expect(report.format == .failedRecipientsHeader)
        #expect(report.perRecipient[0].diagnosticCode?.contains("permission to post") == true)
    }

    @Test func reportWithoutRecipientFieldsUsesTheReturnedMessage() {
        let report = Self.parse("""
            From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B
            Content-Type: text/plain

            This is the mail system at host mx.example.net.

            \t--- Delivery report unavailable ---
            --B
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.net

            --B
            Content-Type: message/rfc822

            From: <sender@shop.example>
            To: only@example.fr
            Message-Id: <nodsn@shop.example>

            body
            --B--
            """)
        #expect(Self.addresses(report) == ["only@example.fr"])
        #expect(report.returnedMessageID == "nodsn@shop.example")
    }

    @Test func brokenFinalRecipientIsRepairedFromTheText() {
        let report = Self.parse("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.co.jp>
            Subject: Returned mail: see transcript for details
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B

               ----- The following addresses had permanent fatal errors -----
            <person@example.org>
                (reason: 550 Host unknown)
            --B
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.co.jp

            Final-Recipient: RFC822; @mx.example.org
            Action: failed
            Status: 5.1.2
            --B--
            """)
        #expect(Self.addresses(report) == ["person@example.org"])
        #expect(report.perRecipient[0].status?.description == "5.1.2")
    }

    @Test func quotedLocalPartIsKept() {
        let report = Self.parse("""
            From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B
            Content-Type: message/delivery-status

            Final-Recipient: rfc822; "first..last"@example.org
            Action: failed
            Status: 5.1.1
            --B--
            """)
        #expect(Self.addresses(report) == ["\"first..last\"@example.org"])
    }

    @Test func forwardedBounceIsReadInside() {
        let report = Self.parse("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@gw.example.co.jp>
            Subject: Returned mail: User unknown
            Content-Type: multipart/mixed; boundary="OUT"

            --OUT
            Content-Type: text/plain

            The original message was received at Thu, 15 Oct 2015 15:22:22 +0900
            ----- The following addresses had permanent delivery errors -----
            --OUT
            Content-Type: message/rfc822

            From: Mail Delivery Subsystem <MAILER-DAEMON@inner.example.co.jp>
            Subject: Returned mail: User unknown
            Content-Type: multipart/report; report-type=delivery-status; boundary="IN"

            --IN
            Content-Type: message/delivery-status

            Final-Recipient: RFC822; inner@example.org
            Action: failed
            Status: 5.1.1
            --IN
            Content-Type: message/rfc822

            Message-ID: <nested@shop.example>
            To: inner@example.org

            --IN--
            --OUT--
            """)
        #expect(Self.addresses(report) == ["inner@example.org"])
        #expect(report.returnedMessageID == "nested@shop.example")
    }

    @Test func dragonFlyMailAgent() {
        let report = Self.parse("""
            From: MAILER-DAEMON <>
            To: sender@shop.example
            Subject: Mail delivery failed

            This is the DragonFly Mail Agent v0.13 at df.example.jp.

            There was an error delivering your mail to <user@example.com>.

            mx.example.com [192.0.2.1] did not like our RCPT TO:
            550 5.1.1 <user@example.com>: Recipient address rejected: User unknown

            Message headers follow.

            To: <user@example.com>
            Message-Id: <df-1@shop.example>
            """)
        #expect(Self.addresses(report) == ["user@example.com"])
        #expect(report.perRecipient[0].status?.description == "5.1.1")
        #expect(report.returnedMessageID == "df-1@shop.example")
    }

    @Test func auByKDDINotice() {
        let report = Self.parse("""
            From: no-reply@x1.dion.ne.jp
            Subject: =?ISO-2022-JP?B?GyRCJWEhPCVrJSglaSE8RExDThsoQg==?=
            Content-Type: text/plain

            Your mail sent on: Thu, 29 Apr 2013 23:45:22 +0900
                 Could not be delivered to: <full@x1.dion.ne.jp>
                 As their mailbox is full.
            """)
        #expect(Self.addresses(report) == ["full@x1.dion.ne.jp"])
        #expect(report.perRecipient[0].diagnosticCode?.contains("mailbox is full") == true)
    }

    @Test func textRightAfterAnAddressIsNotItsDomain() {
        #expect(BounceAddressScanner.addresses(in: Array("kijitora@example.jp您好，".utf8)[...]) == ["kijitora@example.jp"])
        #expect(BounceAddressScanner.exactAddress(Array("kijitora@example.jp您好".utf8)[...]) == "kijitora@example.jp")
        // An internationalised domain stays whole.
        #expect(BounceAddressScanner.exactAddress(Array("user@пример.рф".utf8)[...]) == "user@пример.рф")
    }
}
