import Testing
@testable import OutboxCore

@Suite struct MailboxTests {
    @Test func parsesNameAndAddress() throws {
        let mailbox = try Mailbox.parse("Jüri Õunapuu <juri@Example.EE>")
        #expect(mailbox.address == "juri@example.ee")
        #expect(mailbox.displayName == "Jüri Õunapuu")
    }

    @Test func parsesQuotedName() throws {
        let mailbox = try Mailbox.parse("\"Bērziņa, Līga\" <liga@example.lv>")
        #expect(mailbox.displayName == "Bērziņa, Līga")
    }

    @Test(arguments: [
        ("no-at-sign", MailboxError.Code.missingAt),
        ("a..b@example.com", .invalidLocalPart),
        ("a@-example.com", .invalidDomain),
        ("a@exa mple.com", .invalidDomain),
        ("a@example.com\r\nBcc: x@evil.com", .lineBreak),
        ("þórunn@exa mple.is", .invalidDomain),
        ("juri@pär nu.ee", .invalidIDN),
        ("juri@xn--a.ee", .invalidIDN),
        ("juri@pä\u{0300}\u{0301}--.ee", .invalidIDN),
        ("þó\u{0085}r@example.is", .invalidLocalPart),
        ("", .empty),
        (String(repeating: "a", count: 65) + "@example.com", .localPartTooLong),
    ])
    func refusesBadAddresses(input: String, code: MailboxError.Code) {
        #expect(throws: MailboxError.self) { try Mailbox.parse(input) }
        do { _ = try Mailbox.parse(input) } catch { #expect(error.code == code) }
    }

    @Test func refusesLineBreakInDisplayName() {
        #expect(throws: MailboxError.self) {
            try Mailbox(address: "a@example.com", displayName: "Evil\nBcc: x@evil.com")
        }
    }
}
