import Foundation
import Testing
@testable import OutboxCore

/// Internationalised addresses: IDN domains become A-labels (libidn2, UTS #46
/// non-transitional), UTF-8 local parts are accepted and flagged for SMTPUTF8, and
/// messages carrying them are read by Python's `email` package.
@Suite struct InternationalAddressTests {
    @Test(arguments: [
        ("juri@pärnu.ee", "juri@xn--prnu-loa.ee"),
        ("Juri@PÄRNU.EE", "Juri@xn--prnu-loa.ee"),  // mapped to lower case; the local part is kept
        ("juri@xn--prnu-loa.ee", "juri@xn--prnu-loa.ee"),  // an A-label given is checked and kept
        ("anna@straße.de", "anna@xn--strae-oqa.de"),  // non-transitional: ß is not mapped to ss
        ("thorunn@ísland.is", "thorunn@xn--sland-ysa.is"),
        ("info@müller.example.com", "info@xn--mller-kva.example.com"),
        ("x@[192.0.2.1]", "x@[192.0.2.1]"),
    ])
    func domainsBecomeALabels(input: String, sent: String) throws {
        let mailbox = try Mailbox.parse("Jüri <\(input)>")
        #expect(mailbox.address == sent)
        #expect(!mailbox.requiresSMTPUTF8)
        #expect(mailbox.displayName == "Jüri")
    }

    @Test func unicodeFormForPeople() {
        #expect(IDNA.displayAddress("juri@xn--prnu-loa.ee") == "juri@pärnu.ee")
        #expect(IDNA.displayAddress("juri@example.ee") == "juri@example.ee")
        #expect(IDNA.displayDomain("xn--mller-kva.example.com") == "müller.example.com")
    }

    @Test func utf8LocalPartsNeedSMTPUTF8() throws {
        let mailbox = try Mailbox(address: "þórunn@ísland.is")
        #expect(mailbox.address == "þórunn@xn--sland-ysa.is" && mailbox.requiresSMTPUTF8)
        #expect(try Mailbox(address: "\"Jüri Õ.\"@example.ee").requiresSMTPUTF8)
        #expect(throws: MailboxError.self) { try Mailbox(address: String(repeating: "ž", count: 33) + "@example.ee") }  // 66 bytes
    }

    @Test func invalidNamesSayWhy() {
        for bad in ["juri@pär nu.ee", "juri@xn--a.ee", "juri@-pärnu.ee", "juri@pärnu..ee", "juri@\u{200D}.ee"] {
            do {
                _ = try Mailbox(address: bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.reason.contains(bad), "\(error.reason)")
            }
        }
        do { _ = try Mailbox(address: "juri@xn--a.ee") } catch {
            #expect(error.code == .invalidIDN && error.reason.contains("IDNA 2008"), "\(error.reason)")
        }
    }

    @Test func messageIDAndDKIMDomainsAreALabels() throws {
        #expect(try MessageID.make(token: "t1", domain: "Pärnu.ee") == "t1@xn--prnu-loa.ee")
        #expect(try DKIMName.domain("teated.pärnu.ee") == "teated.xn--prnu-loa.ee")
    }

    /// IDN addresses only: plain ASCII headers; a UTF-8 local part: RFC 6532 raw UTF-8 in
    /// the address, the display name still an encoded-word. Python reads both.
    @Test func composedMessagesParse() throws {
        let idn = MIMEMessage(
            from: try Mailbox(address: "arved@pärnu.ee", displayName: "Pärnu Arved"),
            replyTo: [try Mailbox(address: "juri@pärnu.ee")],
            to: [try Mailbox(address: "anna@straße.de", displayName: "Anna Straße")],
            cc: [], subject: "Arve", textBody: "Tere!\n", htmlBody: nil, headers: [], attachments: [],
            messageID: try MessageID.make(token: "m1", domain: "pärnu.ee"), date: MIMEComposerTests.date)
        let ascii = try MIMEComposerTests.verify(idn, structure: "text/plain")
        #expect(!ascii.contains { $0 >= 0x80 })
        let text = MIMEComposerTests.text(ascii)
        #expect(text.contains("From: =?utf-8?") && text.contains("<arved@xn--prnu-loa.ee>"))
        #expect(text.contains("To: =?utf-8?") && text.contains("<anna@xn--strae-oqa.de>") && text.contains("Reply-To: juri@xn--prnu-loa.ee"))
        #expect(text.contains("Message-ID: <m1@xn--prnu-loa.ee>"))

        let utf8 = MIMEMessage(
            from: try Mailbox(address: "arved@example.is"),
            replyTo: [], to: [try Mailbox(address: "þórunn@ísland.is", displayName: "Þórunn Guðmundsdóttir")],
            cc: [try Mailbox(address: "jüri@pärnu.ee")], subject: "Reikningur", textBody: "Halló!\n", htmlBody: nil,
            headers: [], attachments: [], messageID: "m2@example.is", date: MIMEComposerTests.date)
        let raw = MIMEComposerTests.text(try MIMEComposerTests.verify(utf8, structure: "text/plain"))
        #expect(raw.contains("<þórunn@xn--sland-ysa.is>") && raw.contains("Cc: jüri@xn--prnu-loa.ee"))
        #expect(raw.contains("To: =?utf-8?"))  // the display name stays an encoded-word
    }
}
