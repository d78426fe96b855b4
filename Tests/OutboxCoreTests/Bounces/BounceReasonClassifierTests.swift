import Testing
@testable import OutboxCore

/// The classifier on representative replies of several providers and MTAs (written here,
/// not taken from the corpus): one case per reason, and the distinctions that decide
/// whether an address is suppressed.
@Suite struct BounceReasonClassifierTests {
    struct Case: Sendable, CustomStringConvertible {
        var reason: BounceReason
        var status: String?
        var diagnostic: String
        var remoteMTA: String? = nil
        var recipient = "someone@example.org"
        var format: BounceFormat = .rfc3464
        var action: BounceAction = .failed
        var description: String { "\(reason): \(diagnostic.prefix(60))" }
    }

    static func classify(_ item: Case) -> BounceRecipient {
        let recipient = BounceRecipient(
            finalRecipient: item.recipient, action: item.action,
            status: item.status.flatMap { EnhancedStatusCode(Substring($0)) }, diagnosticCode: item.diagnostic,
            smtpReplyCode: BounceStatusText.replyCode(in: item.diagnostic), remoteMTA: item.remoteMTA)
        var report = BounceReport(kind: .deliveryFailure, format: item.format, perRecipient: [recipient])
        report.perRecipient[0].reason = BounceReasonClassifier.reason(for: recipient, in: report)
        return report.perRecipient[0]
    }

    static let cases: [Case] = [
        // Dead addresses.
        Case(reason: .userunknown, status: "5.1.1",
             diagnostic: "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address", remoteMTA: "gmail-smtp-in.l.google.com"),
        Case(reason: .userunknown, status: "5.1.1",
             diagnostic: "550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown in virtual mailbox table"),
        Case(reason: .userunknown, status: "5.1.10",
             diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
             remoteMTA: "example-org.mail.protection.outlook.com"),
        Case(reason: .userunknown, status: "5.0.0",
             diagnostic: "host mx.example.org [192.0.2.7] said: 550 sorry, no mailbox here by that name (in reply to RCPT TO command)"),
        Case(reason: .hostunknown, status: "5.1.2",
             diagnostic: "Host or domain name not found. Name service error for name=exampel.org type=A: Host not found"),
        Case(reason: .hostunknown, status: "5.4.4", diagnostic: "554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain"),
        Case(reason: .hasmoved, status: "5.1.6", diagnostic: "550 5.1.6 recipient no longer on server: old@example.org"),
        // Mailbox problems that pass.
        Case(reason: .mailboxfull, status: "5.2.2",
             diagnostic: "552-5.2.2 The email account that you tried to reach is over quota and inactive.", remoteMTA: "aspmx.l.google.com"),
        Case(reason: .mailboxfull, status: "4.2.2", diagnostic: "452 4.2.2 Mailbox full: user is over quota", action: .delayed),
        Case(reason: .mailboxfull, status: "5.0.0", diagnostic: "550 Requested action not taken: mailbox quota exceeded for klaus@example.de"),
        Case(reason: .mesgtoobig, status: "5.3.4", diagnostic: "552 5.3.4 Message size exceeds fixed maximum message size (10485760)"),
        Case(reason: .exceedlimit, status: "5.2.3", diagnostic: "552 5.2.3 Message length exceeds administrative limit"),
        Case(reason: .suspend, status: "5.0.0", diagnostic: "550 Mailbox is frozen. The account has been suspended for inactivity"),
        // The receiver refuses the sender.
        Case(reason: .blocked, status: "5.7.1",
             diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org"),
        Case(reason: .blocked, status: "5.7.606",
             diagnostic: "550 5.7.606 Access denied, banned sending IP [192.0.2.25]. To request removal from this list please visit https://sender.office.com/",
             remoteMTA: "example-com.mail.protection.outlook.com"),
        Case(reason: .blocked, status: "5.0.0",
             diagnostic: "553 Mail from 192.0.2.25 not allowed - 5.7.1 [192.0.2.25] Your network is temporary blacklisted"),
        Case(reason: .spamdetected, status: "5.7.1",
             diagnostic: "SMTP error from remote mail server after end of data: 550 5.7.1 Message rejected as spam by Content Filtering."),
        Case(reason: .policyviolation, status: "5.7.1",
             diagnostic: "550 5.7.1 Email rejected per DMARC policy for example.net; message not accepted for policy reasons"),
        Case(reason: .virusdetected, status: "5.7.1", diagnostic: "554 5.7.1 Virus detected: Win.Trojan.Agent-123 (in reply to end of DATA command)"),
        Case(reason: .norelaying, status: "5.7.1", diagnostic: "554 5.7.1 <who@elsewhere.example>: Relay access denied"),
        Case(reason: .toomanyconn, status: "4.7.0", diagnostic: "421 4.7.0 Too many concurrent SMTP connections from this IP; try again later",
             action: .delayed),
        Case(reason: .rejected, status: "5.1.8", diagnostic: "553 5.1.8 <bounce@sender.example>: Sender address rejected: Domain not found"),
        Case(reason: .securityerror, status: "5.7.0", diagnostic: "530 5.7.0 Authentication required"),
        // System failures.
        Case(reason: .systemfull, status: "4.3.1", diagnostic: "452 4.3.1 Insufficient system storage", action: .delayed),
        Case(reason: .networkerror, status: "5.4.6", diagnostic: "554 5.4.6 Hop count exceeded - possible mail loop"),
        Case(reason: .expired, status: "4.4.7", diagnostic: "delivery temporarily suspended: connect to mx.example.org[192.0.2.9]:25: Connection timed out",
             action: .delayed),
        Case(reason: .contenterror, status: "5.6.0", diagnostic: "550 5.6.0 Improper use of 8-bit data in message header"),
        Case(reason: .mailererror, status: "5.3.0", diagnostic: "procmail: Error while writing to \"/var/mail/anna\""),
        // Provider codes.
        Case(reason: .userunknown, status: "5.1.1",
             diagnostic: "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]", remoteMTA: "smtp-in.orange.fr"),
        Case(reason: .mailboxfull, status: "5.0.0", diagnostic: "552 5.0.0 Boite du destinataire pleine. Recipient overquota. LPN007_417",
             remoteMTA: "smtpz4.laposte.net"),
        Case(reason: .blocked, status: "5.0.0", diagnostic: "554 192.0.2.25 rejected - no rDNS - AUP#CXDNS", remoteMTA: "cxr.mx.a.cox.net"),
        Case(reason: .toomanyconn, status: "4.0.0", diagnostic: "421 4.0.0 connection frequency limited", remoteMTA: "mx3.qq.com", action: .delayed),
        // qmail: the remote host's words decide, "does not like recipient" alone means unknown.
        Case(reason: .blocked, status: nil,
             diagnostic: "192.0.2.3 does not like recipient. Remote host said: 550 5.7.1 Client host rejected: cannot find your hostname",
             format: .qmail),
        Case(reason: .userunknown, status: nil, diagnostic: "192.0.2.3 does not like recipient. Remote host said: 550 no such user",
             format: .qmail),
    ]

    @Test(arguments: cases)
    func namesTheReason(item: Case) {
        #expect(Self.classify(item).reason == item.reason)
    }

    /// 5.7.1 refusals for spam, blocklists or policy are the sender's problem: never a dead
    /// address, never hard.
    @Test(arguments: [
        "550 5.7.1 Service refused, please try later. Your IP is blocked by our blacklist",
        "554 5.7.1 Message rejected because of unacceptable content. For help, please quote incident ID 123.",
        "550 5.7.1 [192.0.2.1] Messages from 192.0.2.1 temporarily deferred due to user complaints",
        "550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
        "550 5.7.1 Delivery not authorized, message refused: policy violation",
        "550 5.7.1 Recipient address rejected: blocked by spam filter",
        "554 5.7.1 The message was rejected because it contains prohibited virus or spam content",
    ])
    func policyRefusalsAreNotDeadAddresses(diagnostic: String) {
        let recipient = Self.classify(Case(reason: .blocked, status: "5.7.1", diagnostic: diagnostic))
        #expect(!recipient.reason.isDeadAddress, "\(recipient.reason)")
        #expect(recipient.severity == .soft)
    }

    @Test func fullMailboxIsSoftAndUnknownUserIsHard() {
        let full = Self.classify(Case(reason: .mailboxfull, status: "5.2.2", diagnostic: "552 5.2.2 <bob@example.org>... Mailbox Full"))
        #expect(full.reason == .mailboxfull)
        #expect(full.severity == .soft)
        let gone = Self.classify(Case(reason: .userunknown, status: "5.1.1", diagnostic: "550 5.1.1 <bob@example.org>... User Unknown"))
        #expect(gone.reason == .userunknown)
        #expect(gone.severity == .hard)
        // The status alone, with no words at all.
        #expect(Self.classify(Case(reason: .mailboxfull, status: "5.2.2", diagnostic: "")).reason == .mailboxfull)
        #expect(Self.classify(Case(reason: .userunknown, status: "5.1.1", diagnostic: "")).reason == .userunknown)
    }

    @Test func nonBouncesAreNamedSo() {
        var recipient = BounceRecipient(finalRecipient: "a@example.org", action: .relayed, status: EnhancedStatusCode(Substring("2.0.0")))
        #expect(BounceReasonClassifier.reason(for: recipient, in: BounceReport(kind: .deliverySuccess, format: .rfc3464)) == .delivered)
        recipient.action = .failed
        #expect(BounceReasonClassifier.reason(for: recipient, in: BounceReport(kind: .complaint, format: .rfc3464)) == .feedback)
    }

    /// Wildcard patterns stay fast on hostile diagnostics (long runs without spaces, digits,
    /// many `<` and `@`): the text is bounded and failed states are remembered.
    @Test(arguments: [
        String(repeating: "<a@", count: 50_000), String(repeating: "9", count: 200_000),
        String(repeating: "host ", count: 20_000) + String(repeating: "x.", count: 50_000),
    ])
    func hostileDiagnosticsAreQuick(diagnostic: String) {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = Self.classify(Case(reason: .undefined, status: "5.0.0", diagnostic: diagnostic, format: .qmail))
        }
        // Catches a super-linear blow-up (minutes on these inputs), not speed: a loaded
        // debug build needs more than a second.
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }

    @Test func patternsMatchLikeTheirRegularExpressions() {
        let text = Array("host mx.example.org said: 550 5.7.1 client host mail.example.net blocked using zen.spamhaus.org".utf8)
        #expect(BounceReasonPattern("client host * blocked using").matches(text))
        #expect(!BounceReasonPattern("^client host").matches(text))
        #expect(BounceReasonPattern("said: # #.#.#").matches(text))
        #expect(BounceReasonPattern("spamhaus.org$").matches(text))
        #expect(!BounceReasonPattern("spamhaus$").matches(text))
        #expect(BounceReasonPattern("host…blocked").matches(text))
        #expect(BounceReasonPattern("\\#5.1.1").matches(Array("550 #5.1.1 bad address".utf8)))
    }

    /// PowerMTA's own category names the reason its reply leaves open (5.2.1 reads as
    /// `filtered` by its code), but never makes a policy refusal a dead address.
    @Test(arguments: [
        ("550 5.2.1 <lea@example.jp>... User Unknown", "bad-mailbox", BounceReason.userunknown),
        ("552 5.2.2 <lea@example.jp>... Mailbox over quota", "quota-issues", .mailboxfull),
        ("550 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org", "bad-mailbox", .blocked),
    ])
    func powerMTABounceCategory(diagnostic: String, category: String, reason: BounceReason) {
        let status = BounceStatusText.enhancedStatus(in: diagnostic)!
        let report = BounceParser().parse(Array("""
            From: postmaster@mta.shop.example
            Subject: Delivery report
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="P"

            --P
            Content-Type: text/plain

            Hello, this is the mail server on mta.shop.example.

            --P
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mta.shop.example

            Final-Recipient: rfc822; lea@example.jp
            Action: failed
            Status: \(status)
            Remote-MTA: dns; mx.example.jp
            Diagnostic-Code: smtp;\(diagnostic)
            X-PowerMTA-BounceCategory: \(category)

            --P--
            """.utf8))
        #expect(report.perRecipient.map(\.bounceCategory) == [category])
        #expect(report.perRecipient.first?.reason == reason)
    }
}
