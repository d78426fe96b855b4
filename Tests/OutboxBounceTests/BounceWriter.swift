import Foundation

/// Bounces in the layouts real MTAs write, for messages these tests sent: the returned
/// message carries `Message-ID: <TOKEN@domain>` as Outbox makes it.
enum BounceWriter {
    /// A Postfix DSN (multipart/report, delivery-status, returned headers), as the
    /// bounce(8) daemon writes it, delivered to `deliveredTo`.
    static func postfix(token: String, recipient: String, status: String, diagnostic: String, action: String = "failed",
                        deliveredTo: String = "alice@firma.test", queueID: String = UUID().uuidString.prefix(10).description) -> [UInt8] {
        let boundary = "\(queueID).1772524800/mail.firma.test"
        return crlf("""
            Return-Path: <>
            Delivered-To: \(deliveredTo)
            Date: Tue,  3 Mar 2026 10:00:01 +0200 (EET)
            From: MAILER-DAEMON@mail.firma.test (Mail Delivery System)
            Subject: \(action == "delayed" ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender")
            To: \(deliveredTo)
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
            \tboundary="\(boundary)"
            Message-Id: <20260303080001.\(queueID)@mail.firma.test>

            This is a MIME-encapsulated message.

            --\(boundary)
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mail.firma.test.

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients. It's attached below.

            <\(recipient)>: host mx.customer.test[192.0.2.25] said: \(diagnostic) (in reply to
                RCPT TO command)

            --\(boundary)
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mail.firma.test
            X-Postfix-Queue-ID: \(queueID)
            X-Postfix-Sender: rfc822; alice@firma.test
            Arrival-Date: Tue,  3 Mar 2026 09:59:58 +0200 (EET)

            Final-Recipient: rfc822; \(recipient)
            Original-Recipient: rfc822;\(recipient)
            Action: \(action)
            Status: \(status)
            Remote-MTA: dns; mx.customer.test
            Diagnostic-Code: smtp; \(diagnostic)

            --\(boundary)
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            From: Alice <alice@firma.test>
            To: \(recipient)
            Subject: Arve 2026-03
            Message-ID: <\(token)@firma.test>
            Date: Tue, 3 Mar 2026 09:59:57 +0200

            --\(boundary)--
            """)
    }

    /// An Exim bounce (plain text, no DSN part), as Exim 4 writes it.
    static func exim(token: String, recipient: String, diagnostic: String, deliveredTo: String = "alice@firma.test") -> [UInt8] {
        crlf("""
            Return-path: <>
            Envelope-to: \(deliveredTo)
            Delivery-date: Tue, 03 Mar 2026 10:00:02 +0200
            Received: from Debian-exim by mx.customer.test with local (Exim 4.96)
            \tid 1wXyZa-000123-AB
            \tfor \(deliveredTo); Tue, 03 Mar 2026 10:00:02 +0200
            X-Failed-Recipients: \(recipient)
            Auto-Submitted: auto-replied
            From: Mail Delivery System <Mailer-Daemon@mx.customer.test>
            To: \(deliveredTo)
            Subject: Mail delivery failed: returning message to sender
            Message-Id: <E1wXyZa-000123-AB@mx.customer.test>
            Date: Tue, 03 Mar 2026 10:00:02 +0200

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              \(recipient)
                host mx2.customer.test [192.0.2.26]
                SMTP error from remote mail server after RCPT TO:<\(recipient)>:
                \(diagnostic)

            ------ This is a copy of the message, including all the headers. ------

            Return-path: <alice@firma.test>
            From: Alice <alice@firma.test>
            To: \(recipient)
            Subject: Arve 2026-03
            Message-ID: <\(token)@firma.test>
            Date: Tue, 3 Mar 2026 09:59:57 +0200

            Tere!
            """)
    }

    /// An ARF spam complaint (RFC 5965) about the message, as a mailbox provider's feedback loop sends it.
    static func complaint(token: String, complainer: String, deliveredTo: String = "alice@firma.test") -> [UInt8] {
        crlf("""
            Return-Path: <fbl@feedback.provider.test>
            Delivered-To: \(deliveredTo)
            From: Feedback Loop <fbl@feedback.provider.test>
            To: \(deliveredTo)
            Subject: Complaint about message from 192.0.2.10
            Date: Tue, 3 Mar 2026 11:00:00 +0000
            Message-ID: <fbl-\(token)@feedback.provider.test>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=feedback-report; boundary="fbl_boundary"

            --fbl_boundary
            Content-Type: text/plain; charset=us-ascii

            This is an email abuse report for an email message received from IP 192.0.2.10.

            --fbl_boundary
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: ProviderFBL/1.0
            Version: 1
            Original-Mail-From: <alice@firma.test>
            Original-Rcpt-To: <\(complainer)>
            Arrival-Date: Tue, 3 Mar 2026 09:59:58 +0000
            Source-IP: 192.0.2.10
            Reported-Domain: firma.test

            --fbl_boundary
            Content-Type: message/rfc822

            From: Alice <alice@firma.test>
            To: \(complainer)
            Subject: Arve 2026-03
            Message-ID: <\(token)@firma.test>
            Date: Tue, 3 Mar 2026 09:59:57 +0200

            Tere!
            --fbl_boundary--
            """)
    }

    /// An out-of-office reply (RFC 3834) to the message.
    static func outOfOffice(token: String, from: String, to: String = "alice@firma.test") -> [UInt8] {
        crlf("""
            From: \(from)
            To: \(to)
            Subject: Automaatvastus: Arve 2026-03
            Date: Tue, 3 Mar 2026 10:05:00 +0200
            Message-ID: <ooo-\(token)@customer.test>
            In-Reply-To: <\(token)@firma.test>
            References: <\(token)@firma.test>
            Auto-Submitted: auto-replied
            X-Autoreply: yes
            Content-Type: text/plain; charset=utf-8

            Olen puhkusel kuni 10. märtsini. I am out of the office until 10 March.
            """)
    }

    /// An ordinary message (a customer's reply, a newsletter).
    static func ordinary(from: String, subject: String, inReplyTo token: String? = nil, to: String = "alice@firma.test") -> [UInt8] {
        crlf("""
            From: \(from)
            To: \(to)
            Subject: \(subject)
            Date: Tue, 3 Mar 2026 10:10:00 +0200
            Message-ID: <\(UUID().uuidString)@sender.test>
            \(token.map { "In-Reply-To: <\($0)@firma.test>\n" } ?? "")Content-Type: text/plain; charset=utf-8

            Thank you, the invoice is paid.
            """)
    }

    private static func crlf(_ text: String) -> [UInt8] {
        Array(text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n").utf8)
    }
}
