import Testing
@testable import OutboxTransport

/// Mailbox URLs: what is accepted, what is refused.
@Suite struct MailboxEndpointTests {
    @Test func imapDefaultsToINBOXAndKeepsTheMailbox() throws {
        let plain = try MailboxEndpoint(url: "imap://mail.example:1143", username: "u", password: "p")
        #expect(plain.kind == .imap && plain.mailbox == "INBOX" && plain.displayURL == "imap://mail.example:1143/INBOX")
        let named = try MailboxEndpoint(url: "imaps://mail.example/Bounce Box", username: "u", password: "p")
        #expect(named.mailbox == "Bounce Box" && named.displayURL == "imaps://mail.example/Bounce%20Box")
        #expect(try MailboxEndpoint(url: "pop3s://[::1]:995", username: "u", password: "p").displayURL == "pop3s://[::1]:995")
    }

    @Test(arguments: ["imap://user:secret@host/INBOX", "http://host/", "pop3://host/INBOX", "imap://host/IN;UID=1", "imap:///INBOX",
                      "imap://host/INBOX?x=1"])
    func refused(_ url: String) {
        #expect {
            _ = try MailboxEndpoint(url: url, username: "u", password: "p")
        } throws: { error in
            let mailbox = error as? MailboxError
            return mailbox?.code == .invalidURL && mailbox?.reason.contains("secret") == false
        }
    }
}
