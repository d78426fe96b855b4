import Foundation
import OutboxCore
import OutboxTestSupport
import Testing

/// `outbox profile set` says at save time what the new settings do: the mode a server
/// implies, settings that would not take effect, the guides' TLS words, port-decides-TLS,
/// app-password spaces, clear-text passwords, and `--test` before saving.
@Suite(.timeLimit(.minutes(10))) struct ProfileSetChecksTests {
    // Item 2: an own server without --mode means smtp; what will not take effect is said.
    @Test func aServerWithoutModeImpliesSMTPAndWhatIsIgnoredIsSaid() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        let own = try guide.run(["profile", "set", "kati", "--host", "mail.firma.ee", "--user", "kati@firma.ee", "--password-stdin"], stdin: "pw")
        #expect(own.stderr.contains("mode smtp: implied by the server settings given"))
        #expect(try guide.stored("kati", "mode") as? String == "smtp")
        #expect(try guide.resolved("kati")["mode"]?.value == "smtp")

        // User and password, but no host anywhere: refused rather than silently holding the mail.
        let noHost = try guide.outbox.run(["profile", "set", "liis", "--user", "liis@firma.ee", "--password-stdin"], stdin: "pw")
        #expect(noHost.status == 65 && noHost.stderr.contains("no host is known") && noHost.stderr.contains("nothing was saved"))
        #expect(try guide.outbox.run(["profile", "show", "liis"]).status == 1)

        // An explicit relay mode keeps the relay, and says the server settings are not used.
        let relay = try guide.run(["profile", "set", "toomas", "--mode", "system", "--host", "mail.firma.ee", "--from", "toomas@firma.ee"])
        #expect(relay.stderr.contains("warning: --host is not used: mode system sends through the system relay"))
        #expect(try guide.resolved("toomas")["mode"]?.value == "system")

        // A password alone under a company user name is never used: said.
        try guide.run(["profile", "set", "firma", "--preset", "zone", "--user", "info@firma.ee", "--password-stdin"], stdin: "company")
        try guide.run(["settings", "set", "global-profile", "firma"])
        let orphan = try guide.run(["profile", "set", "peeter", "--password-stdin"], stdin: "peeter-pw")
        #expect(orphan.stderr.contains("warning: --password is not used: the user name comes from the global profile"), "\(orphan.stderr)")
    }

    // Item 3: the port decides the TLS mode unless --tls is given, presets included.
    @Test func thePortDecidesTLSPresetsIncluded() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        for preset in ["gmail", "zone", "yahoo"] {
            try guide.run(["profile", "set", preset, "--preset", preset, "--port", "465", "--user", "u@\(preset).example", "--password-stdin"], stdin: "x")
            #expect(try guide.stored(preset, "tls") as? String == "ssl" && guide.stored(preset, "port") as? Int == 465)
        }
        try guide.run(["profile", "set", "plain", "--preset", "gmail"])
        #expect(try guide.stored("plain", "tls") as? String == "starttls" && guide.stored("plain", "port") as? Int == 587)
        try guide.run(["profile", "set", "forced", "--preset", "gmail", "--port", "465", "--tls", "starttls"])
        #expect(try guide.stored("forced", "tls") as? String == "starttls")
    }

    // Item 4: app-password spaces go whenever the resolved host is Gmail or Yahoo.
    @Test func appPasswordSpacesGoWhenTheCompanyHostIsGmail() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        try guide.run(["profile", "set", "firma", "--preset", "gmail", "--user", "info@firma.ee", "--password-stdin"], stdin: "aaaa bbbb cccc dddd")
        try guide.run(["settings", "set", "global-profile", "firma"])
        let mari = try guide.run(["profile", "set", "mari", "--user", "mari@firma.ee", "--password-stdin"], stdin: "abcd efgh ijkl mnop\n")
        #expect(mari.stderr.contains("removed 3 space(s) from the app password (gmail"))
        #expect(try guide.storedFields("mari")?.secret == "abcdefghijklmnop")
        #expect(try guide.storedFields("firma")?.secret == "aaaabbbbccccdddd")
        // Not a Gmail host: the password is kept as given.
        try guide.run(["profile", "set", "own", "--host", "mail.firma.ee", "--user", "own@firma.ee", "--password-stdin"], stdin: "a b")
        #expect(try guide.storedFields("own")?.secret == "a b")
    }

    // Item 5: From follows the owner's login unless they have their own or turn it off.
    @Test func fromFollowsTheLoginAndCanBeTurnedOff() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        try guide.run(["profile", "set", "firma", "--preset", "zone", "--user", "info@firma.ee", "--from", "info@firma.ee", "--password-stdin"], stdin: "c")
        try guide.run(["settings", "set", "global-profile", "firma"])
        try guide.run(["profile", "set", "mari", "--user", "mari@firma.ee", "--password-stdin"], stdin: "m")
        #expect(try guide.resolved("mari")["from"]?.value == "mari@firma.ee")
        try guide.run(["profile", "set", "mari", "--no-from-login"])
        let kept = try guide.resolved("mari")
        #expect(kept["from"]?.value == "info@firma.ee" && kept["from"]?.origin == "global" && kept["from-login"]?.value == "off")
        let explained = try guide.run(["profile", "resolve", "mari", "--config", guide.configPath])
        #expect(explained.stdout.contains("note: From info@firma.ee is not the login mari@firma.ee"))
        try guide.run(["profile", "set", "mari", "--from-login", "--from", "mari.maasikas@firma.ee"])
        #expect(try guide.resolved("mari")["from"]?.value == "mari.maasikas@firma.ee")
        // A login that is not an address never becomes the From.
        try guide.run(["profile", "set", "jaan", "--user", "jaan", "--password-stdin"], stdin: "j")
        #expect(try guide.resolved("jaan")["from"]?.value == "info@firma.ee")
    }

    // Item 5: a message with no From anywhere holds the profile, and is sent once one is set.
    @Test func noFromAnywhereHoldsTheProfileUntilOneIsSet() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        let maildir = guide.workspace.directory + "/Maildir"
        let set = try guide.run(["profile", "set", "demo", "--mode", "maildir", "--url", maildir])
        #expect(set.stderr.contains("warning: demo cannot send yet: no From address is known for owner demo: outbox profile set demo --from ADDRESS"))
        try guide.enqueue(owner: "demo")
        #expect(try guide.serveOnce().stdout.contains("held 1"))
        let held = try #require(try guide.events("profile-held").first)
        #expect((held["detail"] as? String)?.contains("--from ADDRESS") == true)
        #expect((held["detail"] as? String)?.contains("from_address") == false)
        #expect(try guide.events("failed").isEmpty)

        try guide.run(["profile", "set", "demo", "--from", "demo@firma.ee"])
        #expect(try guide.serveOnce().stdout.contains("sent 1"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").count == 1)
    }

    // Item 7: the guides' TLS words, and passwords in clear text.
    @Test func theGuidesTLSWordsAndClearTextPasswords() throws {
        let guide = try ProfileGuide()
        defer { guide.cleanUp() }
        for (word, stored) in [("ssl", "ssl"), ("SSL", "ssl"), ("starttls", "starttls"), ("StartSSL", "starttls"), ("tls", "starttls"), ("none", "none")] {
            try guide.run(["profile", "set", "a", "--mode", "smtp", "--host", "127.0.0.1", "--tls", word])
            #expect(try guide.stored("a", "tls") as? String == stored, "--tls \(word)")
        }
        let ambiguous = try guide.outbox.run(["profile", "set", "b", "--host", "mail.firma.ee", "--port", "465", "--tls", "tls"])
        #expect(ambiguous.status == 64 && ambiguous.stderr.contains("write --tls ssl"))
        let unknown = try guide.outbox.run(["profile", "set", "b", "--tls", "tls1.3"])
        #expect(unknown.status == 64 && unknown.stderr.contains("--tls must be ssl (implicit TLS), starttls (startssl, tls) or none"))

        let remote = try guide.outbox.run(["profile", "set", "c", "--host", "mail.firma.ee", "--port", "25", "--tls", "none",
                                           "--user", "c@firma.ee", "--password-stdin"], stdin: "clear-pw")
        #expect(remote.status == 65 && remote.stderr.contains("would travel in clear text to mail.firma.ee"))
        #expect(remote.stderr.contains("--allow-plaintext-auth") && !remote.stderr.contains("clear-pw"))
        #expect(try guide.outbox.run(["profile", "show", "c"]).status == 1)
        let allowed = try guide.run(["profile", "set", "c", "--host", "mail.firma.ee", "--port", "25", "--tls", "none",
                                     "--user", "c@firma.ee", "--password-stdin", "--allow-plaintext-auth"], stdin: "clear-pw")
        #expect(allowed.stderr.contains("warning: with --tls none the password of c travels in clear text to mail.firma.ee"))
        let local = try guide.run(["profile", "set", "d", "--host", "127.0.0.1", "--tls", "none", "--user", "d", "--password-stdin"], stdin: "p")
        #expect(local.stderr.contains("travels in clear text to 127.0.0.1"))
    }

    // Item 8: --test tries the candidate settings; only a passing test saves them.
    @Test func setWithTestSavesOnlyWhenTheTestPasses() throws {
        try withTestSMTPServer(["--user", "bob@firma.ee", "--password", "right-pw"], tls: "starttls") { server in
            let guide = try ProfileGuide()
            defer { guide.cleanUp() }
            let base = ["profile", "set", "bob", "--host", "127.0.0.1", "--port", String(server.port), "--ca-file", server.certificatePath,
                        "--user", "bob@firma.ee", "--from", "bob@firma.ee", "--password-stdin", "--test", "--config", guide.configPath]
            let wrong = try guide.outbox.run(base, stdin: "wrong-pw")
            #expect(wrong.status == 1 && wrong.stdout.contains("hint: The server refused the user name or password (535)."))
            #expect(wrong.stderr.contains("the test failed; nothing was saved"))
            #expect(try guide.outbox.run(["profile", "show", "bob"]).status == 1)

            let right = try guide.run(base + ["--to", "bob@firma.ee"], stdin: "right-pw")
            #expect(right.stdout.contains("3. send test message to bob@firma.ee: ok") && right.stdout.contains("profile bob saved"))
            #expect(try server.messages().count == 1)
            #expect(!right.stdout.contains("right-pw") && !wrong.stdout.contains("wrong-pw"))

            // A failing change to a working profile leaves the stored one as it was.
            let broken = try guide.outbox.run(["profile", "set", "bob", "--port", "1", "--test", "--timeout", "5"])
            #expect(broken.status == 1 && broken.stdout.contains("hint: Could not reach 127.0.0.1:1"))
            #expect(try guide.stored("bob", "port") as? Int == server.port)
        }
    }
}
