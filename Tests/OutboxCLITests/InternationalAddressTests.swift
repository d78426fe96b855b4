import Foundation
import OutboxTestSupport
import Testing

/// Internationalised addresses through the real binary (`outbox enqueue`, `outbox serve`)
/// to aiosmtpd: IDN domains travel as A-labels in the envelope, the headers, the Message-ID
/// and DKIM `d=`; UTF-8 local parts go out with SMTPUTF8 when the server offers it and fail
/// with `smtputf8-unsupported` when it does not; an invalid IDN is refused at intake.
@Suite(.timeLimit(.minutes(10))) struct InternationalAddressTests {
    /// The relay is aiosmtpd; `signing: false` turns DKIM off for tests about SMTPUTF8.
    static func conf(_ port: Int, signing: Bool = true) -> String {
        """
        [relay]
        host = 127.0.0.1
        port = \(port)
        tls = none
        [reply-to]
        company-address = arved
        event-domain = teated.pärnu.ee
        \(signing ? "" : "[dkim]\nsign-modes = none")
        """
    }

    /// Enqueues messages of `juri` into the guide's fresh outbox (a JSON Lines line each, on
    /// stdin); returns their ids.
    @discardableResult
    static func enqueue(_ guide: ProfileGuide, _ messages: [String]) throws -> [Int] {
        let lines = messages.map { #"{"owner": "juri", "subject": "Arve 7", "text": "Tere!\n", "# + $0 + "}" }
        let result = try guide.run(["enqueue", "--json", "-"], stdin: lines.joined(separator: "\n") + "\n")
        let count = (try result.json() as? [String: Any])?["enqueued"] as? Int ?? 0
        return (0..<count).map { $0 + 1 }
    }

    /// The recipients of message `id` as `outbox show --json` lists them.
    static func recipients(_ guide: ProfileGuide, _ id: Int) throws -> [[String: Any]] {
        (try guide.run(["show", "--json", String(id)]).json() as? [String: Any])?["recipients"] as? [[String: Any]] ?? []
    }

    /// `juri@pärnu.ee` in reply-to mode on the event domain `teated.pärnu.ee`, signed by the
    /// event domain's key: every domain arrives as an A-label, both DKIM verifiers pass,
    /// Python reads the message, and `outbox show` names the Unicode form beside the A-label.
    @Test func idnDomainsTravelAsALabels() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.conf(relay.port))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "reply-to", "--from", "juri@Pärnu.ee", "--from-name", "Jüri Õunapuu"])
            var verifiers = DKIMVerifiers()
            let keygen = try guide.run(["dkim", "keygen", "--domain", "teated.pärnu.ee", "--selector", "s1"]).stdout
            #expect(keygen.contains("s1._domainkey.teated.xn--prnu-loa.ee IN TXT"))
            try verifiers.publish(keygenOutput: keygen)
            try Self.enqueue(guide, [#""to": [{"address": "juri@pärnu.ee", "name": "Jüri"}], "cc": ["anna@straße.de"]"#])
            #expect(try guide.serveOnce().stdout.contains("sent 1"))

            let received = try #require(try relay.messages().first)
            #expect(received.rcptTos == ["juri@xn--prnu-loa.ee", "anna@xn--strae-oqa.de"])
            let mailFrom = received.mailFrom ?? ""
            #expect(mailFrom.hasPrefix("bounces+") && mailFrom.hasSuffix("@teated.xn--prnu-loa.ee"), "\(mailFrom)")
            #expect(received.mailOptions?.contains("SMTPUTF8") != true)
            let message = try #require(received.bytes)
            #expect(!message.contains { $0 >= 0x80 }, "an IDN-only message is plain ASCII")
            let text = received.text.replacingOccurrences(of: "\r\n ", with: " ")
            for header in ["<arved@teated.xn--prnu-loa.ee>", "Reply-To: =?utf-8?", "<juri@xn--prnu-loa.ee>", "Cc: anna@xn--strae-oqa.de",
                           "d=teated.xn--prnu-loa.ee;"] {
                #expect(text.contains(header), "\(header) in \(text.prefix(1200))")
            }
            #expect(text.range(of: #"Message-ID: <[^>]+@teated\.xn--prnu-loa\.ee>"#, options: .regularExpression) != nil)
            for verdicts in [try verifiers.dkimpy(message), try verifiers.mailDKIM(message)] {
                #expect(verdicts.count == 1 && verdicts.allSatisfy(\.passed), "\(verdicts)")
            }
            let parsed = try PythonReader.addresses(message)
            #expect(parsed.defects.isEmpty, "\(parsed.defects)")
            #expect(parsed.fields["to"] == ["juri@xn--prnu-loa.ee"] && parsed.fields["cc"] == ["anna@xn--strae-oqa.de"])
            #expect(parsed.fields["reply-to"] == ["juri@xn--prnu-loa.ee"])

            let shown = try guide.run(["show", "1"]).stdout
            #expect(shown.contains("<juri@xn--prnu-loa.ee> (juri@pärnu.ee)") && shown.contains("(anna@straße.de)"), "\(shown)")
        }
    }

    /// A UTF-8 local part to a server that offers SMTPUTF8: sent with the parameter (libcurl
    /// adds it), the address raw UTF-8 in the envelope and, per RFC 6532, in the To header.
    @Test func utf8LocalPartWithSMTPUTF8() throws {
        try withTestSMTPServer(["--smtputf8"]) { relay in
            let guide = try ProfileGuide(conf: Self.conf(relay.port, signing: false))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "arved@firma.ee"])
            let ids = try Self.enqueue(guide, [#""to": [{"address": "þórunn@ísland.is", "name": "Þórunn Guðmundsdóttir"}], "bcc": ["liga@example.lv"]"#])
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let received = try #require(try relay.messages().first)
            #expect(received.mailOptions?.contains("SMTPUTF8") == true, "\(received.mailOptions ?? [])")
            #expect(received.rcptTos == ["þórunn@xn--sland-ysa.is", "liga@example.lv"])
            #expect(received.text.contains("<þórunn@xn--sland-ysa.is>") && received.text.contains("To: =?utf-8?"))
            let parsed = try PythonReader.addresses(try #require(received.bytes))
            #expect(parsed.defects.isEmpty, "\(parsed.defects)")
            #expect(parsed.fields["to"] == ["þórunn@xn--sland-ysa.is"] && parsed.names["to"] == ["Þórunn Guðmundsdóttir"])
            #expect(try Self.recipients(guide, try #require(ids.first)).allSatisfy { $0["state"] as? String == "sent" })
        }
    }

    /// Without SMTPUTF8 nothing UTF-8 is sent or mangled: a message whose headers carry the
    /// UTF-8 address fails for every recipient; one where it is only a Bcc goes to the
    /// others, and that recipient fails with `smtputf8-unsupported` (553 5.6.7).
    @Test func utf8LocalPartWithoutSMTPUTF8FailsClearly() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.conf(relay.port, signing: false))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "arved@firma.ee"])
            let ids = try Self.enqueue(guide, [#""to": ["þórunn@ísland.is"], "cc": ["liga@example.lv"]"#,
                                               #""to": ["liga@example.lv"], "bcc": ["jüri@pärnu.ee"]"#])
            try #require(ids.count == 2)
            try guide.serveOnce()

            let received = try relay.messages()
            #expect(received.count == 1 && received.first?.rcptTos == ["liga@example.lv"], "\(received.map(\.rcptTos))")
            #expect(!(received.first?.bytes ?? []).contains { $0 >= 0x80 })

            let whole = try Self.recipients(guide, ids[0])
            #expect(whole.count == 2 && whole.allSatisfy { $0["state"] as? String == "failed" }, "\(whole)")
            for recipient in whole {
                let reply = recipient["lastReply"] as? String ?? ""
                #expect(recipient["lastCode"] as? Int == 553 && reply.contains("smtputf8-unsupported") && reply.contains("SMTPUTF8"), "\(reply)")
            }
            let partial = try Self.recipients(guide, ids[1])
            let states = Dictionary(uniqueKeysWithValues: partial.map { ($0["address"] as? String ?? "", $0["state"] as? String ?? "") })
            #expect(states == ["liga@example.lv": "sent", "jüri@xn--prnu-loa.ee": "failed"], "\(partial)")
            let refused = try #require(partial.first { $0["address"] as? String == "jüri@xn--prnu-loa.ee" })
            #expect((refused["lastReply"] as? String ?? "").hasPrefix("smtputf8-unsupported: the address is UTF-8"), "\(refused)")
            let shown = try guide.run(["show", String(ids[0])]).stdout
            #expect(shown.contains("state failed") && shown.contains("smtputf8-unsupported"), "\(shown)")
        }
    }

    /// An invalid IDN is refused by `outbox enqueue` with the message, the field and the
    /// address, and nothing is written.
    @Test func invalidIDNIsRefusedAtIntake() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let lines = [#"{"owner": "juri", "subject": "s", "text": "x", "to": ["juri@pärnu.ee"]}"#,
                     #"{"owner": "juri", "subject": "s", "text": "x", "to": ["liga@example.lv"], "cc": ["anna@xn--a.de"]}"#]
        let result = try workspace.outbox.run(["enqueue", "-"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("line 2") && result.stderr.contains("field 'cc[0]'") && result.stderr.contains("'anna@xn--a.de'"), "\(result.stderr)")
        #expect(result.stderr.contains("not a valid internationalised domain name"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was enqueued"))
        if FileManager.default.fileExists(atPath: workspace.directory + "/outbox.db") {
            #expect((try workspace.outbox.run(["list", "--json"]).json() as? [Any])?.isEmpty == true)
        }
    }
}

/// Python's `email` package (policy.SMTPUTF8; a UTF-8 header block read as UTF-8 text, as
/// RFC 6532 defines it) reading the address fields of a received message.
enum PythonReader {
    struct Addresses {
        var fields: [String: [String]] = [:]
        var names: [String: [String]] = [:]
        var defects: [String] = []
    }

    static func addresses(_ message: [UInt8]) throws -> Addresses {
        let file = NSTemporaryDirectory() + "outbox-intl-\(UUID().uuidString).eml"
        try Data(message).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = """
            import email, email.errors, email.policy, json, sys
            data = open(sys.argv[1], 'rb').read()
            utf8 = any(b >= 0x80 for b in data.split(b'\\r\\n\\r\\n', 1)[0])
            msg = email.message_from_string(data.decode('utf-8'), policy=email.policy.SMTPUTF8) if utf8 \\
                else email.message_from_bytes(data, policy=email.policy.default)
            out = {'fields': {}, 'names': {}, 'defects': [repr(d) for d in msg.defects]}
            for name in ('from', 'to', 'cc', 'reply-to'):
                h = msg[name]
                if h is None: continue
                out['defects'] += [f'{name}: {d!r}' for d in h.defects if not (utf8 and isinstance(d, email.errors.NonASCIILocalPartDefect))]
                out['fields'][name] = [a.addr_spec for a in h.addresses]
                out['names'][name] = [a.display_name for a in h.addresses]
            print(json.dumps(out))
            """
        let data = Data(try ChildProcess.runBlocking("python3", ["-c", script, file]).stdout)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return Addresses(fields: json["fields"] as? [String: [String]] ?? [:], names: json["names"] as? [String: [String]] ?? [:],
                         defects: json["defects"] as? [String] ?? [])
    }
}
