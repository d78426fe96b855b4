import Foundation
import OutboxTestSupport
import Testing

/// `outbox show ID --eml`: a sent message byte for byte as the server received it (DKIM
/// signatures included, still verifying); an unsent one as delivery would sign and send it now.
@Suite(.timeLimit(.minutes(10))) struct ShowEMLTests {
    @Test func sentMessageIsPrintedExactlyAsReceived() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: DKIMSigningTests.relayConf(relay.port))
            defer { guide.cleanUp() }
            var verifiers = try guide.signingSender()
            try verifiers.publish(keygenOutput: guide.run(["dkim", "keygen", "--domain", "firma.ee", "--selector", "e1", "--algorithm", "ed25519"]).stdout)
            try DKIMSigningTests.enqueueLetter(guide, owner: "juri")

            // Before sending: as it would be sent now, signed, with a notice on stderr.
            let before = try guide.run(["show", "1", "--eml", "--config", guide.configPath])
            #expect(before.stderr.contains("not sent yet"))
            #expect(try verifiers.dkimpy(Array(before.stdout.utf8)).map(\.passed) == [true, true])

            #expect(try guide.serveOnce().stdout.contains("sent 1"))
            let received = try #require(try relay.messages().first?.bytes)
            // Deleting a key after sending changes nothing about what was sent.
            try guide.run(["dkim", "delete", "--domain", "firma.ee", "--selector", "s1"])
            let shown = try guide.run(["show", "1", "--eml"])
            #expect(Array(shown.stdout.utf8) == received && shown.stderr.isEmpty)
            #expect(try verifiers.dkimpy(Array(shown.stdout.utf8)).map(\.passed) == [true, true])

            // Stored content changed after sending: refused, not printed as if it were sent.
            try Self.sql("UPDATE message SET text_body = 'changed' WHERE id = 1", guide.outbox.database)
            let refused = try guide.outbox.run(["show", "1", "--eml"])
            #expect(refused.status != 0 && refused.stdout.isEmpty && refused.stderr.contains("cannot be reproduced byte for byte"))
            // Sent before the header was kept: said so, never recomposed as if it were what was sent.
            try Self.sql("DELETE FROM sent_header", guide.outbox.database)
            let unknown = try guide.outbox.run(["show", "1", "--eml"])
            #expect(unknown.status != 0 && unknown.stdout.isEmpty && unknown.stderr.contains("its exact bytes are not known"), "\(unknown.stderr)")
        }
    }

    /// Runs one SQL statement on the database with Python's sqlite3 (a change the CLI cannot make).
    static func sql(_ statement: String, _ database: String) throws {
        let python = try ChildProcess.runBlocking("python3", ["-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()",
                                                              database, statement])
        #expect(python.status == 0, "\(python.stderrText)")
    }

    /// An unsent message that must be signed but has no key: the reason, not unsigned bytes.
    @Test func unsentMessageWithoutKeyIsRefused() throws {
        let guide = try ProfileGuide(conf: "[relay]\nhost = 127.0.0.1\nport = 2525\ntls = none\n")
        defer { guide.cleanUp() }
        try guide.run(["profile", "set", "juri", "--mode", "system", "--from", "juri@firma.ee"])
        try guide.enqueue(owner: "juri")
        let refused = try guide.outbox.run(["show", "1", "--eml", "--config", guide.configPath])
        #expect(refused.status != 0 && refused.stdout.isEmpty && refused.stderr.contains("no key for firma.ee"), "\(refused.stderr)")
    }
}
