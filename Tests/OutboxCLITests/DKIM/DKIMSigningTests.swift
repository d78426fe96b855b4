import Foundation
import OutboxCore
import OutboxStore
import OutboxTestSupport
import Testing

/// DKIM signing end to end: keys made with `outbox dkim keygen`, mail sent by `outbox serve`
/// through the relay to aiosmtpd, and the received bytes checked by dkimpy and Mail::DKIM
/// with the TXT records keygen printed.
@Suite(.timeLimit(.minutes(10))) struct DKIMSigningTests {
    static func relayConf(_ port: Int, extra: String = "") -> String {
        """
        [relay]
        host = 127.0.0.1
        port = \(port)
        tls = none
        [reply-to]
        company-address = firma
        event-domain = events.firma.ee
        \(extra)
        """
    }

    /// An invoice letter as the ERP sends it: Estonian and Latvian names and subject
    /// (RFC 2047), text and HTML, a PDF attachment and a List-Unsubscribe header.
    static func enqueueLetter(_ guide: ProfileGuide, owner: String) throws {
        let pdf = (0..<6000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        try Data(pdf).write(to: URL(fileURLWithPath: guide.workspace.directory + "/arve.pdf"))
        let batch = try guide.workspace.write("letter-\(UUID().uuidString).json", """
            {"owner": "\(owner)", "subject": "Arve nr 42: tänane makse jõudis õigel ajal — Līgai ja Þórunnile",
             "text": "Tere, Jüri!\\n\\nArve on lisatud.   Aitäh!  \\n\\n\\n", "html": "<p>Tere, <b>Jüri</b>!</p>\\n",
             "headers": {"List-Unsubscribe": "<mailto:unsubscribe+x1@events.firma.ee>"},
             "attachments": [{"path": "\(guide.workspace.directory)/arve.pdf"}],
             "messages": [{"to": [{"address": "liga@example.lv", "name": "Līga Bērziņa"}], "cc": ["Jüri Õunapuu <juri@example.ee>"]}]}
            """)
        try guide.run(["enqueue", batch])
    }

    /// RSA-2048: both verifiers pass the received message; tampering with a signed header
    /// or the body makes both fail. The header list is the documented one, From over-signed.
    @Test func rsaSignatureVerifiesAndTamperingFails() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee", "--from-name", "Jüri Õunapuu"])
            var verifiers = DKIMVerifiers()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s2026"]).stdout)
            try Self.enqueueLetter(guide, owner: "juri")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try relay.messages().first?.bytes)
            let text = String(decoding: message, as: UTF8.self)
            let unfolded = text.replacingOccurrences(of: "\r\n ", with: " ")
            #expect(unfolded.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=firma.ee; s=s2026; t="))
            #expect(unfolded.contains("h=from:from:to:cc:subject:date:message-id:mime-version: content-type:list-unsubscribe;"),
                    "\(text.prefix(600))")

            for verdicts in [try verifiers.dkimpy(message), try verifiers.mailDKIM(message)] {
                #expect(verdicts.count == 1 && verdicts.allSatisfy(\.passed), "\(verdicts)")
            }
            // Relaxed canonicalisation: whitespace changed in transit does not break it.
            let respaced = message.replacing("MIME-Version: 1.0", with: "MIME-Version:\t1.0 ")
            #expect(try verifiers.dkimpy(respaced).allSatisfy(\.passed) && verifiers.mailDKIM(respaced).allSatisfy(\.passed))
            let tampered = [
                message.replacing("Subject: ", with: "Subject: Re: "),
                message.replacing("Arve on lisatud.", with: "Arve on lisatud!"),
                message.replacing("From:", with: "From: x@evil.example\r\nFrom:"),
            ]
            for copy in tampered {
                #expect(copy != message)
                for verdicts in [try verifiers.dkimpy(copy), try verifiers.mailDKIM(copy)] {
                    #expect(!verdicts.isEmpty && !verdicts.contains(where: \.passed), "\(verdicts)")
                }
            }
        }
    }

    /// Ed25519 only: dkimpy passes it and fails a tampered copy. Debian bookworm's
    /// Mail::DKIM (1.20230212) predates Ed25519: it reports the algorithm as unsupported.
    @Test func ed25519SignatureVerifies() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee"])
            var verifiers = DKIMVerifiers()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "ed", "--algorithm", "ed25519"]).stdout)
            try Self.enqueueLetter(guide, owner: "juri")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try relay.messages().first?.bytes)
            let verdicts = try verifiers.dkimpy(message)
            #expect(verdicts.count == 1 && verdicts[0].algorithm == "ed25519-sha256" && verdicts[0].passed, "\(verdicts)")
            #expect(try verifiers.dkimpy(message.replacing("Arve on lisatud.", with: "Arve on lisatud?")).allSatisfy { !$0.passed })
            let perl = try verifiers.mailDKIM(message)
            #expect(perl.count == 1 && perl[0].detail.contains("unsupported algorithm ed25519-sha256"), "\(perl)")
        }
    }

    /// Reply-to mode with both keys of the event domain: RSA and Ed25519 signatures, d= the
    /// From (event) domain; dkimpy passes both, Mail::DKIM the RSA one.
    @Test func dualSignatureInReplyToMode() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "reply-to", "--from", "juri@firma.ee", "--from-name", "Jüri Õunapuu"])
            var verifiers = DKIMVerifiers()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "events.firma.ee", "--selector", "ed", "--algorithm", "ed25519"]).stdout)
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "events.firma.ee", "--selector", "rsa"]).stdout)
            try Self.enqueueLetter(guide, owner: "juri")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try relay.messages().first?.bytes)
            let python = try verifiers.dkimpy(message)
            #expect(python.map(\.algorithm) == ["rsa-sha256", "ed25519-sha256"] && python.allSatisfy(\.passed), "\(python)")
            let perl = try verifiers.mailDKIM(message)
            #expect(perl.contains { $0.algorithm == "rsa-sha256" && $0.passed }, "\(perl)")
            #expect(String(decoding: message, as: UTF8.self).contains("d=events.firma.ee;"))
        }
    }

    /// No key for a signing mode: the profile is held with a reason that says what to do, and
    /// nothing is sent; an own-server mode (not signing by default) still sends, unsigned.
    /// keygen lifts the hold and the held letter then goes out signed.
    @Test func missingKeyHoldsTheProfileAndNothingIsSent() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port))
            defer { guide.cleanUp() }
            let set = try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee", "--config", guide.configPath])
            #expect(set.stderr.contains("juri cannot send yet: mode system signs with DKIM and there is no key for firma.ee"), "\(set.stderr)")
            try guide.run(["profile", "set", "mari", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(relay.port), "--tls", "none",
                           "--from", "mari@firma.ee"])
            try Self.enqueueLetter(guide, owner: "juri")
            try Self.enqueueLetter(guide, owner: "mari")
            let first = try guide.serveOnce().stdout
            #expect(first.contains("sent 1") && first.contains("held 1"), "\(first)")
            let sent = try relay.messages()
            #expect(sent.count == 1 && sent[0].mailFrom == "mari@firma.ee" && !sent[0].text.contains("DKIM-Signature"))
            let held = try guide.events("profile-held")
            #expect(held.count == 1 && (held.first?["detail"] as? String)?.hasPrefix("dkim: mode system signs with DKIM, but there is no key for firma.ee") == true,
                    "\(held)")

            var verifiers = DKIMVerifiers()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"]).stdout)
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let letter = try #require(try relay.messages().last?.bytes)
            #expect(try verifiers.dkimpy(letter).allSatisfy(\.passed) && verifiers.mailDKIM(letter).allSatisfy(\.passed))
        }
    }

    /// `[dkim] sign-modes` decides: with `smtp` listed an own server's mail is signed too;
    /// an unknown mode is refused with the file and line.
    @Test func signModesAreConfigurable() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port, extra: "[dkim]\nsign-modes = smtp"))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "mari", "--mode", "smtp", "--host", "127.0.0.1", "--port", String(relay.port), "--tls", "none",
                           "--from", "mari@Firma.ee"])
            var verifiers = DKIMVerifiers()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "own"]).stdout)
            try Self.enqueueLetter(guide, owner: "mari")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try relay.messages().first?.bytes)
            #expect(try verifiers.dkimpy(message).allSatisfy(\.passed) && verifiers.mailDKIM(message).count == 1)

            let bad = try guide.workspace.write("bad.conf", "[dkim]\nsign-modes = system gmail\n")
            let refused = try guide.outbox.run(["serve", "--once", "--config", bad])
            #expect(refused.status != 0 && refused.stderr.contains("bad.conf:2: [dkim] sign-modes: unknown sender mode 'gmail'"),
                    "\(refused.stderr)")
        }
    }

    /// Private keys are sealed like the profile secrets: the database file holds no key
    /// bytes, and after `outbox secrets rotate-key` the daemon still opens and signs with them.
    @Test func keysAreSealedAndSurviveASecretsKeyRotation() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee"])
            var verifiers = DKIMVerifiers()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"]).stdout)
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "e1", "--algorithm", "ed25519"]).stdout)
            let keys = try OutboxDatabase(path: guide.outbox.database).dkimSigningKeys(domain: "firma.ee")
            #expect(keys.count == 2)
            let file = try Data(contentsOf: URL(fileURLWithPath: guide.outbox.database))
                + ((try? Data(contentsOf: URL(fileURLWithPath: guide.outbox.database + "-wal"))) ?? Data())
            for key in keys {
                let bytes = Data(key.privateKey.storedBytes)
                #expect(file.range(of: bytes.prefix(32)) == nil && file.range(of: Data(bytes.base64EncodedString().utf8).prefix(32)) == nil)
            }

            try guide.run(["secrets", "rotate-key"])
            try Self.enqueueLetter(guide, owner: "juri")
            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let message = try #require(try relay.messages().first?.bytes)
            #expect(try verifiers.dkimpy(message).map(\.passed) == [true, true])
        }
    }

    /// A DKIM key that cannot be opened (the secrets key is gone) holds the profile with the
    /// reason; nothing goes out unsigned.
    @Test func unopenableKeyHoldsTheProfile() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: Self.relayConf(relay.port))
            defer { guide.cleanUp() }
            try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee"])
            try guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"])
            let keyFile = guide.workspace.directory + "/secrets.key"
            #expect(FileManager.default.fileExists(atPath: keyFile))
            try FileManager.default.moveItem(atPath: keyFile, toPath: keyFile + ".away")
            try Self.enqueueLetter(guide, owner: "juri")
            let serve = try guide.serveOnce()
            #expect(try !serve.stdout.contains("sent 1") && relay.messages().isEmpty, "\(serve.stdout)\(serve.stderr)")
            let held = try guide.events("profile-held")
            #expect((held.first?["detail"] as? String)?.contains("DKIM key 's1' of firma.ee cannot be opened") == true, "\(held)")
        }
    }

    /// keygen, list, show, delete through the binary: the record is printed, the private key
    /// never; selectors are never overwritten; a newer key of the same algorithm stands by.
    @Test func keyCommands() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        let first = try guide.run(["dkim", "keygen", "--domain", "Firma.EE", "--selector", "s1"]).stdout
        #expect(first.contains("s1._domainkey.firma.ee IN TXT \"v=DKIM1; k=rsa; p="))
        let second = try guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s2"]).stdout
        #expect(second.contains("standing by"))
        try guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "e1", "--algorithm", "ed25519"])

        let again = try guide.outbox.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "s1"])
        #expect(again.status != 0 && again.stderr.contains("exists already"))
        for bad in [["--domain", "pär nu.ee", "--selector", "s"], ["--domain", "firma.ee", "--selector", "a b"],
                    ["--domain", "firma.ee", "--selector", "s9", "--algorithm", "dsa"]] {
            let refused = try guide.outbox.run(["dkim", "keygen"] + bad)
            #expect(refused.status != 0 && refused.stderr.lowercased().contains("error:"), "\(bad): \(refused.stderr)")
        }

        let list = try guide.run(["dkim", "list", "--json"]).json() as? [[String: Any]] ?? []
        #expect(list.map { "\($0["selector"]!) \($0["signing"] as? Bool == true)" } == ["s1 true", "s2 false", "e1 true"])
        let shown = try guide.run(["dkim", "show", "--domain", "firma.ee", "--selector", "e1"]).stdout
        #expect(shown.contains("ed25519-sha256") && shown.contains("e1._domainkey.firma.ee IN TXT \"v=DKIM1; k=ed25519; p="))

        // The private keys appear in no output.
        let keys = try OutboxDatabase(path: guide.outbox.database).dkimSigningKeys(domain: "firma.ee")
        let everything = first + second + shown + (try guide.run(["dkim", "list"]).stdout)
        for key in keys {
            let secret = Data(key.privateKey.storedBytes).base64EncodedString()
            #expect(!everything.contains(secret.prefix(24)) && !everything.contains(secret.suffix(24)))
        }

        try guide.run(["dkim", "delete", "--domain", "firma.ee", "--selector", "s1"])
        let after = try guide.run(["dkim", "list", "--json"]).json() as? [[String: Any]] ?? []
        #expect(after.map { "\($0["selector"]!) \($0["signing"] as? Bool == true)" } == ["s2 true", "e1 true"])
        #expect(try guide.outbox.run(["dkim", "delete", "--domain", "firma.ee", "--selector", "s1"]).status != 0)

        // An internationalised domain is filed and published as its A-label.
        let idn = try guide.run(["dkim", "keygen", "--domain", "pärnu.ee", "--selector", "s1", "--algorithm", "ed25519"]).stdout
        #expect(idn.contains("s1._domainkey.xn--prnu-loa.ee IN TXT \"v=DKIM1; k=ed25519; p="), "\(idn)")
    }
}
