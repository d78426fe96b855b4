/// What the header of a message says about it being automatic: auto-reply markers
/// (RFC 3834 `Auto-Submitted`, `X-Autoreply`, `Precedence: auto_reply`, out-of-office
/// subjects) and bounce-sender markers (`MAILER-DAEMON`, `postmaster`, bounce subjects).
struct BounceAutoReplySignals {
    /// `X-Autoreply`, `X-Autorespond`, `Precedence: auto_reply` or an out-of-office subject.
    private(set) var isAutoReply = false
    /// `Auto-Submitted: auto-replied` (which some bounces carry too).
    private(set) var isAutoSubmittedReply = false
    /// The sender is a mailer daemon or postmaster, or the return path is empty.
    private(set) var isBounceSender = false
    /// The sender is a mailer daemon or postmaster (by `From` alone: RFC 3834 asks
    /// auto-replies to use an empty return path too).
    private(set) var isDaemonSender = false
    /// The subject reads like a bounce.
    private(set) var isBounceSubject = false

    /// Subjects of auto-replies (matched at the start, or after `(`), lower-case: English,
    /// German, French, Spanish, Italian, Estonian, Latvian, Icelandic, Finnish, Russian.
    static let autoReplySubjects = [
        "out of office", "out of the office", "automatic reply", "auto:", "autoreply", "auto-reply", "auto reply",
        "automated reply", "auto response", "autoresponse", "on vacation", "vacation reply", "away from the office",
        "away from my", "i am away",
        // de
        "abwesenheit", "automatische antwort", "automatische abwesenheitsnotiz", "ich bin nicht im büro",
        "nicht im büro", "außer haus", "im urlaub", "urlaubsabwesenheit",
        // fr, es, it
        "réponse automatique", "absence du bureau", "respuesta automática", "fuera de la oficina",
        "risposta automatica", "fuori sede",
        // et
        "automaatvastus", "automaatne vastus", "kontorist väljas", "kontorist eemal", "puhkusel", "olen puhkusel",
        // lv
        "automātiskā atbilde", "automātiska atbilde", "ārpus biroja", "atvaļinājumā", "prombūtnē",
        // is
        "sjálfvirkt svar", "fjarverandi", "utan skrifstofu", "í fríi", "er í fríi", "sumarfrí",
        // fi
        "automaattinen vastaus", "automaattivastaus", "poissa toimistolta", "poissaoloilmoitus", "lomalla",
        "olen lomalla",
        // ru
        "автоматический ответ", "автоответ", "вне офиса", "нет на месте", "в отпуске", "отсутствую",
        "я в отпуске",
    ]

    /// Sentences of out-of-office bodies, lower-case, in the same languages: what a person
    /// writes when away ("I am on holiday until …"), not what a bounce says.
    static let autoReplyBodyPhrases = [
        "i am out of the office", "i'm out of the office", "i am out of office", "i am currently out of",
        "i am on vacation", "i'm on vacation", "i am on holiday", "i'm on holiday", "i am on annual leave",
        "i will be out of the office", "i am away from", "i'm away from", "limited access to email",
        "limited access to my email", "i will respond to your message when i return", "will reply when i return",
        "this is an automatic reply", "this is an automated reply", "this is an auto-reply",
        // de
        "ich bin bis", "bin ich nicht im büro", "ich bin derzeit nicht im büro", "ich bin zurzeit nicht im büro",
        "ich befinde mich im urlaub", "ich bin im urlaub", "bin ich abwesend", "ich bin abwesend",
        "ich bin außer haus", "dies ist eine automatische antwort", "in dringenden fällen wenden sie sich",
        // et
        "olen puhkusel", "viibin puhkusel", "olen kontorist eemal", "ma ei viibi kontoris", "olen eemal",
        "see on automaatne vastus", "kiireloomulistes küsimustes",
        // lv
        "esmu atvaļinājumā", "atrodos atvaļinājumā", "neatrodos birojā", "esmu prombūtnē", "šī ir automātiska atbilde",
        "steidzamos jautājumos",
        // is
        "ég er í fríi", "ég er í sumarfríi", "ég er fjarverandi", "ég er ekki við", "verð ekki við",
        "þetta er sjálfvirkt svar",
        // fi
        "olen lomalla", "olen poissa toimistolta", "olen poissa", "tämä on automaattinen vastaus",
        "kiireellisissä asioissa",
        // ru
        "я в отпуске", "я нахожусь в отпуске", "меня нет на месте", "я нахожусь вне офиса", "я в командировке",
        "я буду отсутствовать", "это автоматический ответ", "по срочным вопросам",
    ]

    static let autoReplyBodyPhraseBytes = autoReplyBodyPhrases.map { Array($0.utf8) }

    /// Whether `text` (a message body) reads like an out-of-office notice; only the first
    /// 4 KiB are looked at.
    static func bodyReadsAutoReply(_ text: [UInt8]) -> Bool {
        let lowered = Array(String(decoding: text.prefix(4_096), as: UTF8.self).lowercased().utf8)[...]
        return autoReplyBodyPhraseBytes.contains { BounceBytes.find($0, in: lowered) != nil }
    }

    static let bounceSubjects = [
        "undeliver", "undelivered", "delivery status notification", "delivery failure", "failure notice",
        "returned mail", "mail delivery failed", "delivery failed", "could not be delivered", "non-delivery",
        "nondeliverable", "delivery has failed", "delivery notification", "delayed mail", "delivery delayed",
        "warning: could not send", "mail delivery system", "unzustellbar", "non remis", "not delivered",
        "delivery problem", "mail system error",
    ]

    /// What the `From` of a bounce contains (Verizon and Apache James write `post_master`).
    static let bounceSenders = ["mailer-daemon", "postmaster@", "post_master@", "mail delivery", "mailer daemon"]

    init(_ headers: BounceHeaderBlock, subject: String) {
        let lowered = subject.lowercased()
        // `Re:`/`AW:`/`Vs:` prefixes before an auto-reply subject (`AW: Abwesenheitsnotiz`)
        // do not hide it; the prefix of the replied-to subject after it is irrelevant.
        let autoSubmitted = headers.value("auto-submitted")?.lowercased() ?? ""
        isAutoSubmittedReply = autoSubmitted.hasPrefix("auto-replied")
        let precedence = (headers.value("precedence") ?? headers.value("x-precedence") ?? "").lowercased()
        isAutoReply = headers.raw("x-autoreply") != nil || headers.raw("x-autorespond") != nil
            || headers.raw("x-autoresponder") != nil || precedence.hasPrefix("auto_reply")
            || headers.value("x-auto-response")?.isEmpty == false
            || Self.autoReplySubjects.contains(where: { Self.subject(lowered, startsWith: $0) || lowered.contains("(" + $0) })
            || BounceBytes.contains("out of office", in: lowered) || BounceBytes.contains("out of the office", in: lowered)
        let from = (headers.value("from") ?? "").lowercased()
        let returnPath = headers.value("return-path")?.filter { !$0.isWhitespace }
        isDaemonSender = Self.bounceSenders.contains(where: { BounceBytes.contains($0, in: from) })
        isBounceSender = isDaemonSender || returnPath == "<>"
            // au by KDDI's notices (Sisimai::Lhost::KDDI, BSD-2-Clause).
            || (BounceBytes.contains("no-reply@", in: from) && BounceBytes.contains(".dion.ne.jp", in: from))
        if BounceBytes.contains("no-reply@", in: from), BounceBytes.contains(".dion.ne.jp", in: from) { isDaemonSender = true }
        isBounceSubject = Self.bounceSubjects.contains(where: { BounceBytes.contains($0, in: lowered) })
    }

    /// Whether `subject` starts with `phrase`, after reply and forward prefixes.
    private static func subject(_ subject: String, startsWith phrase: String) -> Bool {
        var rest = Substring(subject)
        for _ in 0..<3 {
            if rest.hasPrefix(phrase) { return true }
            guard let colon = rest.prefix(5).firstIndex(of: ":") else { return false }
            rest = rest[rest.index(after: colon)...].drop(while: { $0 == " " })
        }
        return rest.hasPrefix(phrase)
    }
}
