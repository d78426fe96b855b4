import Foundation
import OutboxTestSupport
import Testing

/// `outbox enqueue --dry-run`: the batch checked as enqueue checks it, a summary and the
/// first N messages as they would be sent, and no trace: no database created, an existing
/// one byte for byte unchanged, no attachment stored.
@Suite(.timeLimit(.minutes(10))) struct DryRunTests {
    static func batch(in workspace: Workspace, key: String = "k1") throws -> String {
        try Data(ComposeFixtures.png).write(to: URL(fileURLWithPath: workspace.directory + "/logo.png"))
        return try workspace.write("letters-\(key).json", """
            {"key": "\(key)", "owner": "juri", "subject": "Arve", "text": "Tere!", "html": "<img src=\\"cid:logo\\"><p>Tere!</p>",
             "inline": [{"path": "logo.png", "cid": "logo"}],
             "messages": [{"key": "\(key)-1", "to": ["liga@example.lv"]}, {"key": "\(key)-2", "to": ["mari@example.ee"], "cc": ["jaan@example.ee"]},
                          {"key": "\(key)-3", "to": ["peeter@example.ee"]}]}
            """)
    }

    @Test func withoutDatabaseNothingIsCreated() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let batch = try Self.batch(in: workspace)
        let result = try workspace.outbox.run(["enqueue", "--dry-run", batch, "--render", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("dry run of letters-k1.json: 3 message(s) to 4 recipient(s) would be enqueued; 1 attachment/image content(s), \(ComposeFixtures.png.count) bytes; nothing was written"),
                "\(result.stdout)")
        let rendered = result.stdout.components(separatedBy: "\n----- message ")
        #expect(rendered.count == 3, "two messages rendered")
        #expect(rendered[1].contains("multipart/related; type=\"multipart/alternative\"") && rendered[1].contains("Content-ID: <logo>"))
        #expect(rendered[2].contains("To: mari@example.ee\r\nCc: jaan@example.ee\r\n"))
        #expect(result.stderr.contains("shown with a placeholder sender and unsigned: there is no outbox at"), "\(result.stderr)")
        let misuse = try workspace.outbox.run(["enqueue", batch, "--render", "1"])
        #expect(misuse.status != 0 && misuse.stderr.contains("--render is for --dry-run"), "\(misuse.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.outbox.database))
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.directory).sorted() == ["letters-k1.json", "logo.png"])
    }

    /// With an outbox: the owner's profile and DKIM key are used (the rendering is what
    /// `show --eml` prints once enqueued, but for Date and Message-ID); keys already there
    /// are reported as skipped; the database file is byte for byte what it was.
    @Test func existingDatabaseIsUnchangedAndRenderingIsSigned() throws {
        let guide = try ProfileGuide(conf: DKIMSigningTests.relayConf(2525))
        defer { guide.cleanUp() }
        let verifiers = try guide.signingSender()
        try guide.run(["enqueue", try Self.batch(in: guide.workspace, key: "old")])
        let database = guide.outbox.database
        let before = try Data(contentsOf: URL(fileURLWithPath: database))

        // The same messages again, under a new batch key: all three would be skipped.
        let again = try guide.workspace.write("again.json", String(decoding: try Data(contentsOf: URL(fileURLWithPath: guide.workspace.directory + "/letters-old.json")), as: UTF8.self)
            .replacingOccurrences(of: "\"key\": \"old\"", with: "\"key\": \"again\""))
        let skipped = try guide.run(["enqueue", "--dry-run", again, "--json"])
        let summary = try #require((try skipped.json() as? [String: Any])?["summary"] as? [String: Any])
        #expect(summary["messages"] as? Int == 0 && summary["duplicates"] as? Int == 3, "\(summary)")

        let fresh = try guide.run(["enqueue", "--dry-run", try Self.batch(in: guide.workspace, key: "new"), "--render", "1", "--config", guide.configPath])
        #expect(fresh.stderr.isEmpty, "\(fresh.stderr)")
        let eml = try #require(fresh.stdout.components(separatedBy: "(Date, Message-ID and DKIM t= are set when sent) -----\n").last)
        #expect(eml.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256;") && eml.contains("<juri@firma.ee>\r\n"))
        #expect(try verifiers.dkimpy(Array(eml.utf8)).map(\.passed) == [true])

        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before)
        #expect(try ComposeFixtures.rows("message", in: database) == 3 && ComposeFixtures.rows("batch", in: database) == 1)
        // A refusal reads the same as the enqueue's.
        let bad = try guide.workspace.write("bad.json", #"{"owner": "juri", "subject": "x", "messages": [{"to": ["a@example.ee"], "html": "<img src='cid:nope'>"}]}"#)
        let refusedDry = try guide.outbox.run(["enqueue", "--dry-run", bad])
        let refused = try guide.outbox.run(["enqueue", bad])
        #expect(refusedDry.status == 65 && refusedDry.stderr == refused.stderr && refused.stderr.contains("cid:nope"), "\(refusedDry.stderr)")
    }

    /// JSON Lines and stdin take the same path: a key used twice is refused with the enqueue's words.
    @Test func jsonLinesFromStdinWithDuplicateKey() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let lines = """
            {"batch": {"owner": "juri", "subject": "Arve", "text": "Tere!"}}
            {"key": "a", "to": ["a@example.ee"]}
            {"key": "a", "to": ["b@example.ee"]}
            """
        let dry = try workspace.outbox.run(["enqueue", "--dry-run", "-"], stdin: lines)
        #expect(dry.status == 65 && dry.stderr.contains("stdin line 3, field 'key': key 'a' is used twice in this batch (first at stdin line 2)"),
                "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: workspace.outbox.database))
        let enqueue = try workspace.outbox.run(["enqueue", "-"], stdin: lines)
        #expect(enqueue.stderr == dry.stderr)
    }
}
