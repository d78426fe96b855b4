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

/// The byte-wise fast path for plain ASCII addresses gives exactly what the full check gives,
/// and leaves everything it does not accept (invalid, literals, A-labels, non-ASCII) to it.
@Suite struct ASCIIAddressFastPathTests {
    static let accepted = [
        "juri@example.ee", "Juri.Ounapuu@Example.EE", "a@b", "first.last+tag@sub.example.co.uk",
        "!#$%&'*+-/=?^_`{|}~@example.com", "\"quoted name\"@example.com", "\"a\\\"b\"@example.com",
        "user@EXAMPLE-1.com", String(repeating: "x", count: 64) + "@example.com",
    ]
    static let refused = [
        "", "no-at-sign", "@example.com", "juri@", ".juri@example.ee", "juri.@example.ee", "ju..ri@example.ee",
        "juri@-example.ee", "juri@example-.ee", "juri@exa_mple.ee", "juri@example..ee", "juri example@example.ee",
        "juri@exam ple.ee", "\"unclosed@example.com", String(repeating: "x", count: 65) + "@example.com",
        "juri@" + String(repeating: "a", count: 64) + ".ee", "juri\t@example.ee",
        "juri@" + Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: "."),
    ]
    static let leftToTheFullCheck = ["juri@[192.0.2.1]", "juri@[IPv6:2001:db8::1]", "juri@xn--prnu-loa.ee", "jüri@example.ee", "juri@pärnu.ee"]

    @Test(arguments: accepted) func acceptsAsTheFullCheckDoes(_ address: String) throws {
        let fast = try #require(AddressSyntax.canonicalASCII(address))
        #expect(fast == (try AddressSyntax.checkedCanonical(address)))
    }

    @Test(arguments: refused) func refusesWhatTheFullCheckRefuses(_ address: String) {
        #expect(AddressSyntax.canonicalASCII(address) == nil)
        #expect(throws: MailboxError.self) { try AddressSyntax.checkedCanonical(address) }
    }

    @Test(arguments: leftToTheFullCheck) func leavesOtherFormsToTheFullCheck(_ address: String) throws {
        #expect(AddressSyntax.canonicalASCII(address) == nil)
        #expect(try AddressSyntax.canonical(address) == (try AddressSyntax.checkedCanonical(address)))
    }

    @Test func trimsOnlyWhenThereIsSomethingToTrim() {
        #expect("juri@example.ee".trimmingSpaces() == "juri@example.ee")
        #expect(" \tjuri@example.ee \t".trimmingSpaces() == "juri@example.ee")
        #expect(" \u{301}x".trimmingSpaces() == " \u{301}x")  // a space with a combining mark is not a space
        #expect("".trimmingSpaces() == "")
    }
}
