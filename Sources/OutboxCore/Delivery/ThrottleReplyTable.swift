/// The server replies that mean "you are sending too fast, or look suspicious": the one
/// table the delivery engine consults to slow a profile down (issue #18 part 2). Each entry
/// names the provider, what the reply says, and how long to pause before sending again.
///
/// Sources (read 2026-12-01): Google's SMTP error reference
/// (support.google.com/a/answer/3726730), Microsoft's NDR and throttling references
/// (learn.microsoft.com: "Fix email delivery issues for error codes 451 4.7.500-699",
/// "Exchange Online limits", Outlook.com postmaster S3140/S3150 blocks), Yahoo Sender Hub's
/// SMTP error codes (senders.yahooinc.com/smtp-error-codes: TSS04, TSS09).
public enum ThrottleReplyTable {
    /// One recognised kind of reply.
    public struct Entry: Hashable, Sendable {
        /// A short stable name, e.g. `gmail-4.7.28`; it appears in events and `status`.
        public let name: String
        public let provider: String
        /// What the provider means, for operators.
        public let meaning: String
        /// The first pause (doubled on each repeat while the profile is slowed).
        public let pause: Duration
        /// True for a quota or block that comes as 5xx: the message is deferred, not failed.
        public let defersPermanentReply: Bool
        let matches: @Sendable (SMTPReply, String) -> Bool

        public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.name == rhs.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    /// The first entry that recognises `reply`, or nil for an ordinary reply.
    public static func match(_ reply: SMTPReply) -> Entry? {
        guard reply.code >= 400 else { return nil }
        let text = reply.text.lowercased()
        return entries.first { $0.matches(reply, text) }
    }

    /// Words that say a reply is about the pace of sending.
    static let rateWords = ["rate limit", "rate-limit", "ratelimit", "too many", "too fast", "slow down", "throttl",
                            "unusual rate", "unexpected volume", "sending limit", "exceeded the rate", "rate that prevents",
                            "temporarily rate limited", "try again later", "limit exceeded", "quota exceeded"]

    static func hasRateWords(_ text: String) -> Bool { rateWords.contains { text.contains($0) } }

    static func enhanced(_ reply: SMTPReply, _ code: String) -> Bool { reply.enhancedCode?.description == code }

    /// In order: provider-specific entries first, the generic ones last.
    public static let entries: [Entry] = [
        Entry(name: "gmail-4.7.28", provider: "Gmail", meaning: "unusual rate of unsolicited mail from the sender: rate limited",
              pause: .seconds(600), defersPermanentReply: false) { reply, _ in reply.code == 421 && enhanced(reply, "4.7.28") },
        Entry(name: "gmail-5.4.5", provider: "Gmail", meaning: "daily user sending limit exceeded",
              pause: .seconds(3600), defersPermanentReply: true) { reply, text in
            enhanced(reply, "5.4.5") && (text.contains("daily") || text.contains("sending limit") || text.contains("quota"))
        },
        Entry(name: "gmail-4.7.0-rate", provider: "Gmail", meaning: "unusual rate of mail or too many connections: try again later",
              pause: .seconds(300), defersPermanentReply: false) { reply, text in
            enhanced(reply, "4.7.0") && (text.contains("unusual rate") || text.contains("rate limit") || text.contains("too many"))
                && !text.contains("tss") && !text.contains("[ts0")
        },
        Entry(name: "microsoft-4.7.650", provider: "Microsoft", meaning: "the sending IP is temporarily rate limited for its reputation",
              pause: .seconds(900), defersPermanentReply: false) { reply, _ in enhanced(reply, "4.7.650") },
        Entry(name: "microsoft-4.7.651", provider: "Microsoft", meaning: "the sending IP exceeded the rate limit allowed",
              pause: .seconds(900), defersPermanentReply: false) { reply, _ in enhanced(reply, "4.7.651") },
        Entry(name: "microsoft-S3150", provider: "Microsoft", meaning: "Outlook.com blocked the sending IP (S3150): pause, ask for delisting",
              pause: .seconds(3600), defersPermanentReply: true) { _, text in text.contains("s3150") },
        Entry(name: "microsoft-S3140", provider: "Microsoft", meaning: "Outlook.com blocked the sending IP (S3140): pause, ask for delisting",
              pause: .seconds(3600), defersPermanentReply: true) { _, text in text.contains("s3140") },
        Entry(name: "microsoft-submission-quota", provider: "Microsoft", meaning: "Exchange Online submission quota (recipient rate or message rate) exceeded",
              pause: .seconds(900), defersPermanentReply: true) { _, text in
            text.contains("submissionquotaexceeded") || text.contains("sender thread limit exceeded")
        },
        Entry(name: "yahoo-TSS04", provider: "Yahoo", meaning: "temporarily deferred for unexpected volume or user complaints",
              pause: .seconds(900), defersPermanentReply: false) { reply, text in reply.isTransient && text.contains("tss04") },
        Entry(name: "yahoo-TS", provider: "Yahoo", meaning: "temporarily deferred (TSnn): sending reputation or volume",
              pause: .seconds(600), defersPermanentReply: false) { reply, text in reply.isTransient && (text.contains("[ts0") || text.contains("tss0")) },
        Entry(name: "generic-4.7.x-rate", provider: "any", meaning: "a 4.7.x deferral that speaks of rate or volume",
              pause: .seconds(120), defersPermanentReply: false) { reply, text in
            reply.isTransient && reply.enhancedCode.map { $0.subject == 7 } == true && hasRateWords(text)
        },
        Entry(name: "generic-421-rate", provider: "any", meaning: "421 (closing the connection) with rate wording",
              pause: .seconds(120), defersPermanentReply: false) { reply, text in reply.code == 421 && hasRateWords(text) },
        Entry(name: "generic-4.x-rate", provider: "any", meaning: "a 4xx deferral that speaks of sending too fast",
              pause: .seconds(60), defersPermanentReply: false) { reply, text in
            reply.isTransient && (text.contains("too many messages") || text.contains("too fast") || text.contains("rate limit")
                || text.contains("throttl") || text.contains("slow down"))
        },
    ]
}
