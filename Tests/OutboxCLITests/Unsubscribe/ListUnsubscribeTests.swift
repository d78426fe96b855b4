import Foundation
import OutboxStore
import OutboxTestSupport
import Testing

/// List-Unsubscribe on customer letters, end to end through the `outbox` binary: letters and
/// invoices sent by `serve --once` to aiosmtpd, read by Python's `email` parser and checked by
/// dkimpy and Mail::DKIM; unsubscribe requests through the pipe (`bounces ingest`) and the
/// bounce mailbox (`bounces poll` against Dovecot); the next letter suppressed, the invoice sent.
@Suite(.timeLimit(.minutes(10))) struct ListUnsubscribeTests {
    static let url = "https://mail.firma.ee/u/"

    /// A letter carries `List-Unsubscribe` (mailto, plus the one-click URL and
    /// `List-Unsubscribe-Post` only with `unsubscribe-url`), signed by DKIM and printed byte
    /// for byte by `show --eml`; the invoice sent beside it carries neither.
    @Test(arguments: [nil, url] as [String?])
    func lettersCarryTheHeadersAndInvoicesDoNot(url: String?) throws {
        try withTestSMTPServer { relay in
            let letters = try UnsubscribeLetters(relayPort: relay.port, url: url)
            defer { letters.cleanUp() }
            try letters.enqueue(kind: "letter", subject: "Uudised november")
            try letters.enqueue(kind: "invoice", subject: "Arve 42")
            let served = try letters.guide.serveOnce().stdout
            #expect(served.contains("sent 2"), "\(served)")
            let received = try relay.messages()
            let letter = try UnsubscribeLetters.message(received, subject: "Uudised november")
            let invoice = try UnsubscribeLetters.message(received, subject: "Arve 42")

            let headers = try UnsubscribeLetters.parsedListHeaders(letter)
            let value = try #require(headers["List-Unsubscribe"]?.first)
            #expect(headers["List-Unsubscribe"]?.count == 1)
            let token = try UnsubscribeLetters.token(in: value)
            #expect(token.count == 35 && token.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) }, "\(token)")
            if let url {
                #expect(value == "<mailto:unsubscribe+\(token)@\(UnsubscribeLetters.bounceDomain)>, <\(url)\(token)>")
                #expect(headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"])
            } else {
                #expect(value == "<mailto:unsubscribe+\(token)@\(UnsubscribeLetters.bounceDomain)>")
                #expect(headers["List-Unsubscribe-Post"] == nil)
            }
            #expect(try UnsubscribeLetters.parsedListHeaders(invoice).isEmpty)

            // Both fields are signed; both verifiers pass; changing either breaks the signature.
            let unfolded = String(decoding: letter, as: UTF8.self).replacingOccurrences(of: "\r\n ", with: " ")
            let signedList = try #require(unfolded.range(of: "h=")).upperBound
            let signed = unfolded[signedList...].prefix { $0 != ";" }.replacingOccurrences(of: " ", with: "").split(separator: ":")
            #expect(signed.contains("list-unsubscribe") && signed.contains("list-unsubscribe-post") == (url != nil), "\(signed)")
            for verdicts in [try letters.verifiers.dkimpy(letter), try letters.verifiers.mailDKIM(letter),
                             try letters.verifiers.dkimpy(invoice), try letters.verifiers.mailDKIM(invoice)] {
                #expect(verdicts.count == 1 && verdicts.allSatisfy(\.passed), "\(verdicts)")
            }
            var tampered = [letter.replacing("unsubscribe+\(token)", with: "unsubscribe+\(String(token.reversed()))")]
            if url != nil { tampered.append(letter.replacing("List-Unsubscribe=One-Click", with: "List-Unsubscribe=Two-Click")) }
            for copy in tampered {
                #expect(copy != letter)
                #expect(try !letters.verifiers.dkimpy(copy).contains(where: \.passed) && !letters.verifiers.mailDKIM(copy).contains(where: \.passed))
            }

            // `show --eml` prints the letter exactly as the server received it.
            let list = try letters.guide.run(["list", "--json"]).json() as? [[String: Any]] ?? []
            let letterID = try #require(list.first { $0["subject"] as? String == "Uudised november" }?["id"] as? Int)
            let shown = try letters.guide.run(["show", String(letterID), "--eml"])
            #expect(Array(shown.stdout.utf8) == letter)
        }
    }

    /// Mail to the letter's `mailto:` through the pipe: an `unsubscribed` event and a
    /// suppression scoped to the owner's letters. The owner's next letter to the address is
    /// not sent; its invoice and another owner's letter are. The same request again changes
    /// nothing; a forged token is ignored with its reason and the door exits 0.
    @Test func unsubscribeByPipeSuppressesOnlyTheOwnersLetters() throws {
        try withTestSMTPServer { relay in
            let letters = try UnsubscribeLetters(relayPort: relay.port)
            defer { letters.cleanUp() }
            let token = try letters.sendLetter(subject: "Uudised 1", relay: relay)
            let address = "unsubscribe+\(token)@\(UnsubscribeLetters.bounceDomain)"

            // Postfix passes the envelope recipient; the header says only the list's name.
            let ingest = try letters.guide.run(["bounces", "ingest", "--source", "postfix", "--recipient", address, "-"],
                                               stdin: UnsubscribeLetters.request(to: "Uudised <uudised@firma.ee>"))
            #expect(ingest.stdout.contains("(unsubscribe)") && ingest.stdout.contains("unsubscribed mari@example.ee"), "\(ingest.stdout)")
            let unsubscribed = try letters.events("unsubscribed")
            #expect(unsubscribed.count == 1 && unsubscribed.first?["recipient"] as? String == "mari@example.ee"
                && unsubscribed.first?["owner"] as? String == "sales" && unsubscribed.first?["messageID"] as? Int == 1, "\(unsubscribed)")

            // Clicking the mailto again (other bytes, token in To): one suppression still.
            let again = try letters.guide.run(["bounces", "ingest", "-"], stdin: UnsubscribeLetters.request(to: "<\(address)>"))
            #expect(again.stdout.contains("unsubscribe-ignored"), "\(again.stdout)")
            let repeated = try letters.events("unsubscribe-ignored")
            #expect(repeated.count == 1 && (repeated.first?["detail"] as? String)?.contains("already unsubscribed from owner sales's letters") == true,
                    "\(repeated)")
            let forged = "unsubscribe+\(String(repeating: "a", count: 35))@\(UnsubscribeLetters.bounceDomain)"
            for (to, reason) in [(forged, "unknown unsubscribe token"), ("unsubscribe+x1@\(UnsubscribeLetters.bounceDomain)", "malformed unsubscribe token")] {
                let ignored = try letters.guide.outbox.run(["bounces", "ingest", "-"], stdin: UnsubscribeLetters.request(to: to))
                #expect(ignored.status == 0 && ignored.stdout.contains("no matching message"), "\(ignored.stdout)\(ignored.stderr)")
                #expect(try letters.events("unsubscribe-ignored").contains { ($0["detail"] as? String)?.contains(reason) == true })
            }
            #expect(try letters.events("unsubscribed").count == 1)

            let suppressions = try letters.guide.run(["suppressions", "list", "--json"]).json() as? [[String: Any]] ?? []
            #expect(suppressions.count == 1 && suppressions.first?["scope"] as? String == "letters" && suppressions.first?["owner"] as? String == "sales"
                && suppressions.first?["address"] as? String == "mari@example.ee", "\(suppressions)")
            #expect(try letters.guide.run(["suppressions", "list"]).stdout.contains("letters of sales"))

            try letters.enqueue(kind: "letter", subject: "Uudised 2")
            try letters.enqueue(kind: "invoice", subject: "Arve 43")
            try letters.enqueue(kind: "transactional", subject: "Tellimus 7")
            try letters.enqueue(owner: "tugi", kind: "letter", subject: "Tugi uudised")
            let served = try letters.guide.serveOnce().stdout
            #expect(served.contains("sent 3"), "\(served)")
            let subjects = try relay.messages().map(\.text)
            for subject in ["Arve 43", "Tellimus 7", "Tugi uudised"] { #expect(subjects.contains { $0.contains("Subject: \(subject)\r\n") }) }
            #expect(!subjects.contains { $0.contains("Subject: Uudised 2\r\n") })
            let suppressed = try letters.events("suppressed")
            #expect(suppressed.count == 1 && (suppressed.first?["detail"] as? String)?.contains("unsubscribed from owner sales's letters") == true,
                    "\(suppressed)")

            // The customer asks for the letters again: the operator takes the unsubscription back.
            #expect(try letters.guide.outbox.run(["suppressions", "remove", "mari@example.ee"]).status != 0, "no suppression of all mail")
            try letters.guide.run(["suppressions", "remove", "mari@example.ee", "--owner", "sales"])
            #expect(try letters.guide.run(["suppressions", "list"]).stdout.contains("no suppressed addresses"))
            try letters.enqueue(kind: "letter", subject: "Uudised 3")
            #expect(try letters.guide.serveOnce().stdout.contains("sent 1"))
        }
    }

    /// The bounce mailbox door: an unsubscribe request delivered to Dovecot (token in
    /// `Delivered-To`) is recorded by `outbox bounces poll`, then deleted like a bounce.
    @Test func unsubscribeFromTheBounceMailbox() throws {
        let server = try DovecotServer()
        defer { server.stop() }
        try withTestSMTPServer { relay in
            let letters = try UnsubscribeLetters(relayPort: relay.port)
            defer { letters.cleanUp() }
            let token = try letters.sendLetter(subject: "Uudised 1", relay: relay)
            let request = "Delivered-To: unsubscribe+\(token.uppercased())@\(UnsubscribeLetters.bounceDomain)\r\n"
                + UnsubscribeLetters.request(to: "undisclosed-recipients:;")
            try server.deliver(Array(request.utf8), name: "1700000001.M1P1.test")

            let poll = try letters.guide.run(["bounces", "poll", "--url", "imap://127.0.0.1:\(server.imapPort)/INBOX", "--user", DovecotServer.user,
                                              "--password-file", try server.passwordFile(), "--allow-plaintext", "--config", letters.guide.configPath])
            #expect(try server.messageCount() == 0, "\(poll.stdout)")
            let unsubscribed = try letters.events("unsubscribed")
            #expect(unsubscribed.count == 1 && unsubscribed.first?["recipient"] as? String == "mari@example.ee", "\(unsubscribed)")

            try letters.enqueue(kind: "letter", subject: "Uudised 2")
            try letters.enqueue(kind: "invoice", subject: "Arve 44")
            #expect(try letters.guide.serveOnce().stdout.contains("sent 1"))
            let last = try #require(try relay.messages().last)
            #expect(last.text.contains("Subject: Arve 44\r\n") && last.rcptTos == ["mari@example.ee"])
        }
    }

    /// The store function behind the one-click endpoint (`POST /u/{token}`): unsubscribes once,
    /// says so on a repeat, reports an unknown token; the letter's `show --eml` preview
    /// carries the same token.
    @Test func oneClickStoreFunctionIsIdempotent() throws {
        let guide = try ProfileGuide(conf: "[relay]\nhost = 127.0.0.1\nport = 2525\ntls = none\n[bounces]\ndomain = b.firma.ee\n"
            + "unsubscribe-url = \(Self.url)\n[dkim]\nsign-modes = none\n")
        defer { guide.cleanUp() }
        try guide.run(["profile", "set", "sales", "--mode", "system", "--from", "sales@firma.ee"])
        let batch = try guide.workspace.write("letters.json", """
            {"owner": "sales", "unsubscribe": true, "subject": "Uudised", "text": "Tere!",
             "messages": [{"to": ["mari@example.ee", "Jaan <jaan@example.ee>"], "cc": ["raamatupidaja@firma.ee"]}]}
            """)
        try guide.run(["enqueue", batch])
        let preview = try guide.run(["show", "1", "--eml", "--config", guide.configPath]).stdout
        let token = try UnsubscribeLetters.token(in: try #require(UnsubscribeLetters.parsedListHeaders(Array(preview.utf8))["List-Unsubscribe"]?.first))
        #expect(preview.contains("<\(Self.url)\(token)>"))

        let database = try OutboxDatabase(path: guide.outbox.database)
        let now = OutboxDatabase.milliseconds(Date())
        let first = try database.unsubscribe(token: token, source: .oneClick, now: now)
        #expect(first.outcome == .unsubscribed && first.owner == "sales" && first.messageID == 1)
        #expect(first.addresses == ["jaan@example.ee", "mari@example.ee"], "the 'to' recipients, never the cc copy")
        let second = try database.unsubscribe(token: token.uppercased(), source: .oneClick, now: now + 1)
        #expect(second.outcome == .alreadyUnsubscribed && second.eventIDs.count == 2)
        let unknown = try database.unsubscribe(token: String(token.reversed()), source: .oneClick, now: now + 2)
        #expect(unknown.outcome == .unknownToken && unknown.owner == nil)
        #expect(try database.unsubscriptions().map(\.address) == ["jaan@example.ee", "mari@example.ee"])
        #expect(try guide.events("unsubscribed").allSatisfy { ($0["detail"] as? String)?.contains("one-click") == true })
    }

    /// A letter with no unsubscribe address configured holds the owner's profile with the
    /// reason; it is never sent without List-Unsubscribe.
    @Test func letterWithoutUnsubscribeAddressHoldsTheProfile() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: "[relay]\nhost = 127.0.0.1\nport = \(relay.port)\ntls = none\n[dkim]\nsign-modes = none\n")
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "sales", "--mode", "system", "--from", "sales@firma.ee"])
            let batch = try guide.workspace.write("letter.json", """
                {"owner": "sales", "kind": "letter", "subject": "Uudised", "text": "Tere!", "messages": [{"to": ["mari@example.ee"]}]}
                """)
            try guide.run(["enqueue", batch])
            let served = try guide.serveOnce().stdout
            let received = try relay.messages()
            #expect(served.contains("held 1") && received.isEmpty, "\(served)")
            let held = try guide.events("profile-held")
            #expect((held.first?["detail"] as? String)?.contains("letters carry List-Unsubscribe, but no unsubscribe address is configured") == true,
                    "\(held)")
        }
    }
}
