import Testing
@testable import OutboxCore

/// The table of "too fast / suspicious" replies (issue #18 part 2), with the providers' own wording.
@Suite struct ThrottleReplyTableTests {
    private func reply(_ code: Int, _ enhanced: String?, _ text: String) -> SMTPReply {
        SMTPReply(code: code, enhancedCode: enhanced.flatMap { EnhancedStatusCode(Substring($0)) }, lines: [text])
    }

    @Test(arguments: [
        (421, "4.7.28", "Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.", "gmail-4.7.28"),
        (421, "4.7.0", "Try again later, closing connection. Our system has detected an unusual rate of unsolicited mail.", "gmail-4.7.0-rate"),
        (550, "5.4.5", "Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852", "gmail-5.4.5"),
        (451, "4.7.650", "The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.", "microsoft-4.7.650"),
        (451, "4.7.651", "The mail server IP connecting to Outlook.com server has exceeded the rate limit allowed.", "microsoft-4.7.651"),
        (550, "5.7.1", "Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).", "microsoft-S3150"),
        (550, "5.7.1", "Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).", "microsoft-S3140"),
        (554, "5.2.0", "STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception", "microsoft-submission-quota"),
        (421, "4.7.0", "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1", "yahoo-TSS04"),
        (421, "4.7.0", "[TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed.", "yahoo-TS"),
        (451, "4.7.1", "Too many messages from this sender, slow down", "generic-4.7.x-rate"),
        (421, nil, "Too many concurrent SMTP connections; please try again later", "generic-421-rate"),
        (450, "4.2.0", "Rate limit exceeded for sender", "generic-4.x-rate"),
    ])
    func recognisesTheProvidersReplies(code: Int, enhanced: String?, text: String, name: String) {
        #expect(ThrottleReplyTable.match(reply(code, enhanced, text))?.name == name)
    }

    @Test(arguments: [
        (451, "4.3.0", "Queue full"),
        (450, "4.2.2", "Mailbox full"),
        (421, "4.4.2", "Connection dropped"),
        (550, "5.1.1", "The email account that you tried to reach does not exist."),
        (550, "5.7.1", "Message rejected as spam by Content Filtering."),
        (250, "2.0.0", "OK rate limit info"),
    ])
    func leavesOrdinaryRepliesAlone(code: Int, enhanced: String?, text: String) {
        #expect(ThrottleReplyTable.match(reply(code, enhanced, text)) == nil)
    }

    @Test func onlyQuotasAndBlocksTurnAPermanentReplyIntoADeferral() {
        let permanent = ThrottleReplyTable.entries.filter(\.defersPermanentReply).map(\.name)
        #expect(Set(permanent) == ["gmail-5.4.5", "microsoft-S3150", "microsoft-S3140", "microsoft-submission-quota"])
    }
}

/// Issue #18 part 1: a preset's published limits are the defaults, with their origin.
@Suite struct ProviderLimitsTests {
    @Test func microsoft365CountsRecipientsPerDayAndMessagesPerMinute() {
        var own = ProfileFields()
        own.mode = .m365OAuth
        own.username = "mari@firma.ee"
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: nil, system: ProfileFields())
        #expect(resolved.perMinute == 30 && resolved.origins["perMinute"] == .preset)
        #expect(resolved.recipientsPerDay == 10_000 && resolved.origins["recipientsPerDay"] == .preset)
        #expect(resolved.perDay == nil && resolved.origins["perDay"] == nil)
    }

    @Test func aLimitSetOnTheProfileWinsOverThePreset() {
        var own = ProfileFields()
        own.mode = .smtp
        own.host = "smtp.gmail.com"
        own.perDay = 400
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: nil, system: ProfileFields())
        #expect(resolved.perDay == 400 && resolved.origins["perDay"] == .owner)
        #expect(resolved.recipientsPerDay == 10_000 && resolved.origins["recipientsPerDay"] == .preset)
    }

    @Test func aServerThatIsNoPresetHasNoLimitsUnlessSet() {
        var own = ProfileFields()
        own.mode = .smtp
        own.host = "mail.firma.ee"
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: nil, system: ProfileFields())
        #expect(resolved.perMinute == nil && resolved.perDay == nil && resolved.recipientsPerDay == nil)
        #expect(ProfilePreset.yahoo.limits.recipientsPerDay == 500)
    }
}
