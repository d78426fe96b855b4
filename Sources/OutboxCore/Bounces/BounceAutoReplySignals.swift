/// What the header of a message says about it being automatic: auto-reply markers
/// (RFC 3834 `Auto-Submitted`, `X-Autoreply`, `Precedence: auto_reply`, out-of-office
/// subjects) and bounce-sender markers (`MAILER-DAEMON`, `postmaster`, bounce subjects).
struct BounceAutoReplySignals {
    /// `X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply` or an out-of-office subject.
    private(set) var isAutoReply = false
    /// `Auto-Submitted: auto-replied` (which bounces carry too).
    private(set) var isAutoSubmittedReply = false
    /// The sender is a mailer daemon or postmaster, or the return path is empty.
    private(set) var isBounceSender = false
    /// The subject reads like a bounce.
    private(set) var isBounceSubject = false

    static let autoReplySubjects = [
        "out of office", "out of the office", "automatic reply", "auto:", "autoreply", "auto-reply", "auto reply",
        "automated reply", "auto response", "autoresponse", "abwesenheit", "automatische antwort",
        "réponse automatique", "respuesta automática", "risposta automatica", "on vacation", "vacation reply",
        "away from the office", "away from my", "i am away", "automaatvastus", "automātiskā atbilde", "sjálfvirkt svar",
    ]
    static let bounceSubjects = [
        "undeliver", "undelivered", "delivery status notification", "delivery failure", "failure notice",
        "returned mail", "mail delivery failed", "delivery failed", "could not be delivered", "non-delivery",
        "nondeliverable", "delivery has failed", "delivery notification", "delayed mail", "delivery delayed",
        "warning: could not send", "mail delivery system", "unzustellbar", "non remis", "not delivered",
        "delivery problem", "mail system error",
    ]

    init(_ headers: BounceHeaderBlock, subject: String) {
        let lowered = subject.lowercased()
        let autoSubmitted = headers.value("auto-submitted")?.lowercased() ?? ""
        isAutoSubmittedReply = autoSubmitted.hasPrefix("auto-replied")
        let precedence = (headers.value("precedence") ?? headers.value("x-precedence") ?? "").lowercased()
        isAutoReply = headers.raw("x-autoreply") != nil || headers.raw("x-autorespond") != nil
            || headers.raw("x-autoresponder") != nil || precedence.hasPrefix("auto_reply")
            || headers.value("x-auto-response")?.isEmpty == false
            || Self.autoReplySubjects.contains(where: { lowered.hasPrefix($0) || BounceBytes.contains("(" + $0, in: lowered) })
            || BounceBytes.contains("out of office", in: lowered) || BounceBytes.contains("out of the office", in: lowered)
        let from = (headers.value("from") ?? "").lowercased()
        let returnPath = headers.value("return-path")?.filter { !$0.isWhitespace }
        isBounceSender = BounceBytes.contains("mailer-daemon", in: from) || BounceBytes.contains("postmaster@", in: from) || BounceBytes.contains("mail delivery", in: from)
            || BounceBytes.contains("mailer daemon", in: from) || returnPath == "<>"
        isBounceSubject = Self.bounceSubjects.contains(where: { BounceBytes.contains($0, in: lowered) })
    }
}
