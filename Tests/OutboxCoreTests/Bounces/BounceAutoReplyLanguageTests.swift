import Testing
@testable import OutboxCore

/// Auto-replies (RFC 3834, out-of-office) in the languages of Outbox's users are never
/// bounces, whether they say so in the header, the subject or only the body.
@Suite struct BounceAutoReplyLanguageTests {
    static func message(subject: String, body: String, extraHeaders: String = "") -> [UInt8] {
        Array("""
            From: Person <person@customer.example>
            To: billing@shop.example
            Subject: \(subject)
            Content-Type: text/plain; charset=utf-8
            \(extraHeaders)
            \(body)
            """.utf8)
    }

    /// (language, subject, body that says the person is away)
    static let notices: [(String, String, String)] = [
        ("de", "Abwesenheitsnotiz: Ihre Rechnung", "Ich bin bis zum 12. Mai nicht im Büro. In dringenden Fällen wenden Sie sich an info@customer.example."),
        ("de", "AW: Ihre Rechnung", "Vielen Dank für Ihre Nachricht. Ich befinde mich im Urlaub und bin ab dem 3. Juni wieder erreichbar."),
        ("et", "Automaatvastus: Teie arve", "Olen puhkusel kuni 15. augustini. Kiireloomulistes küsimustes pöörduge palun kolleegi poole."),
        ("et", "Re: Teie arve", "Tere! Olen kontorist eemal ja vastan teie kirjale naastes."),
        ("lv", "Automātiskā atbilde: Jūsu rēķins", "Esmu atvaļinājumā līdz 20. jūlijam. Steidzamos jautājumos rakstiet kolēģim."),
        ("lv", "Re: Jūsu rēķins", "Labdien! Šobrīd neatrodos birojā, atbildēšu pēc atgriešanās."),
        ("is", "Sjálfvirkt svar: Reikningur", "Ég er í fríi til 10. júlí og les ekki tölvupóst á meðan."),
        ("is", "Re: Reikningur", "Takk fyrir póstinn. Ég er fjarverandi og svara þegar ég kem aftur."),
        ("fi", "Automaattinen vastaus: Laskusi", "Olen lomalla 1.–21.7. Kiireellisissä asioissa ota yhteyttä asiakaspalveluun."),
        ("fi", "Vs: Laskusi", "Kiitos viestistäsi. Olen poissa toimistolta ja vastaan palattuani."),
        ("ru", "Автоматический ответ: Ваш счёт", "Я в отпуске до 1 сентября. По срочным вопросам обращайтесь к коллеге."),
        ("ru", "Re: Ваш счёт", "Здравствуйте! Меня нет на месте, я отвечу после возвращения."),
        ("en", "Re: Your invoice", "I am out of the office until Monday with limited access to email."),
    ]

    @Test(arguments: 0..<notices.count)
    func outOfOfficeIsAnAutoReply(_ index: Int) {
        let (language, subject, body) = Self.notices[index]
        let report = BounceParser().parse(Self.message(subject: subject, body: body))
        #expect(report.kind == .autoReply, "\(language): \(subject)")
        #expect(report.perRecipient.isEmpty)
    }

    @Test func rfc3834HeaderWithEmptyReturnPathIsAnAutoReply() {
        let report = BounceParser().parse(Self.message(
            subject: "Re: Your invoice", body: "Please write to new.address@customer.example from now on.",
            extraHeaders: "Return-Path: <>\nAuto-Submitted: auto-replied\n"))
        #expect(report.kind == .autoReply)
        #expect(report.perRecipient.isEmpty)
    }

    @Test func aMailerDaemonNoticeMarkedAutoRepliedIsStillABounce() {
        let report = BounceParser().parse(Array("""
            Return-Path: <>
            Auto-Submitted: auto-replied
            From: postmaster@customer.example
            To: bounces+abc@shop.example
            Subject: email bounce notification

            This message is to inform you that an email you sent was rejected.

            reject reason: Mailbox full
            target mail address: person@customer.example
            """.utf8))
        #expect(report.kind == .deliveryFailure)
        #expect(report.perRecipient.map(\.finalRecipient) == ["person@customer.example"])
    }

    @Test func anOrdinaryReplyIsNotAnAutoReply() {
        let report = BounceParser().parse(Self.message(subject: "Re: Your invoice", body: "Thanks, paid today. Best, P."))
        #expect(report.kind == .notABounce)
    }
}
