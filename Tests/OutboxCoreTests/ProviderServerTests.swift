import Testing
import OutboxCore

/// The providers' servers an OAuth mode or a preset implies: the SMTP endpoint a
/// `gmail-oauth` profile resolves to, and the IMAP server of the Sent folder, which is not
/// the SMTP host for Gmail (smtp.gmail.com serves no IMAP) and the other big providers.
@Suite struct ProviderServerTests {
    @Test func theSentFolderServerIsTheProvidersIMAPHostNotTheSMTPHost() {
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: "smtp.gmail.com") == "imap.gmail.com")
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: "SMTP.Gmail.com") == "imap.gmail.com")
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: "smtp.mail.yahoo.com") == "imap.mail.yahoo.com")
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: "smtp.office365.com") == "outlook.office365.com")
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: "smtp.zone.eu") == "imap.zone.eu")
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: "mail.firma.ee") == "mail.firma.ee")
        #expect(ProfilePreset.imapHost(mode: .smtp, smtpHost: nil) == nil)
        // An OAuth mode's mailbox is the provider's, also when SMTP goes elsewhere.
        #expect(ProfilePreset.imapHost(mode: .gmailOAuth, smtpHost: "127.0.0.1") == "imap.gmail.com")
        #expect(ProfilePreset.imapHost(mode: .m365OAuth, smtpHost: "127.0.0.1") == "outlook.office365.com")
    }

    @Test func aGmailOAuthProfileResolvesToGmailsSubmissionPortAndLimits() {
        var own = ProfileFields()
        own.mode = .gmailOAuth
        own.username = "mari@gmail.com"
        let resolved = ProfileResolver.resolve(owner: "mari", own: own, global: nil, system: ProfileFields())
        #expect(resolved.host == "smtp.gmail.com" && resolved.port == 587 && resolved.tls == .starttls)
        #expect(resolved.fromAddress == "mari@gmail.com")
        #expect(resolved.perDay == ProfilePreset.gmail.limits.perDay && resolved.origins["perDay"] == (resolved.perDay == nil ? nil : .preset))
        #expect(resolved.mode.usesOAuth && resolved.mode.usesOwnSMTPServer && !resolved.mode.sendsViaRelay)
    }
}
