import Foundation
import OutboxTestSupport
import Testing

/// Inline images end to end: a batch with `"inline"` images enqueued with `outbox enqueue`,
/// delivered by `outbox serve --once` through the relay to aiosmtpd; the received bytes are
/// `show --eml`'s, DKIM still verifies, and Python's `email` parser reads multipart/related
/// with the right Content-IDs. Every intake error is refused with nothing written.
@Suite(.timeLimit(.minutes(10))) struct InlineImageTests {
    @Test func deliveredAsRelatedEqualToShowEMLAndSigned() throws {
        try withTestSMTPServer { relay in
            let guide = try ProfileGuide(conf: DKIMSigningTests.relayConf(relay.port))
            defer { guide.cleanUp() }
            let verifiers = try guide.signingSender()
            try Data(ComposeFixtures.png).write(to: URL(fileURLWithPath: guide.workspace.directory + "/logo.png"))
            try Data((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 13) }).write(to: URL(fileURLWithPath: guide.workspace.directory + "/arve.pdf"))
            // The batch's logo is shown by both messages; the footer image of the batch only by
            // the second, so the first goes without it; the signature is the second message's own.
            let batch = try guide.workspace.write("letters.json", """
                {"owner": "juri", "subject": "Arve nr 42",
                 "attachments": ["arve.pdf"],
                 "inline": [{"path": "logo.png", "cid": "logo"}, {"path": "logo.png", "filename": "jalus.png", "cid": "jalus"}],
                 "messages": [
                  {"to": ["liga@example.lv"], "text": "Tere!\\n\\nArve on lisatud.", "html": "<p><img src=\\"cid:logo\\" alt=\\"Firma\\"> Tere, Līga!</p>"},
                  {"to": ["mari@example.ee"], "html": "<img src='cid:logo'><p>Tere!</p><img src=\\"cid:allkiri\\"><img src=cid:jalus>",
                   "inline": [{"content": "\(ComposeFixtures.gifBase64)", "contentType": "image/gif", "cid": "allkiri"}]}]}
                """)
            let enqueued = try guide.run(["enqueue", batch])
            #expect(enqueued.stdout.contains("2 message(s) enqueued"), "\(enqueued.stdout)")
            let shown = try guide.run(["show", "2"]).stdout
            #expect(shown.contains("inline cid:allkiri  allkiri  ") && shown.contains("inline cid:jalus  jalus.png"), "\(shown)")

            #expect(try guide.serveOnce().stdout.contains("sent 2"))
            let received = try relay.messages().compactMap(\.bytes)
            #expect(received.count == 2)
            for (index, message) in received.enumerated() {
                let eml = try guide.run(["show", String(index + 1), "--eml"])
                let match = received.contains(Array(eml.stdout.utf8))
                #expect(match && eml.stderr.isEmpty, "message \(index + 1): show --eml differs from what the server received")
                #expect(try verifiers.dkimpy(message).map(\.passed) == [true])
                #expect(try verifiers.mailDKIM(message).map(\.passed) == [true])
            }
            let byRecipient = Dictionary(uniqueKeysWithValues: try relay.messages().map { ($0.rcptTos?.first ?? "", $0.bytes ?? []) })
            let first = try ComposeFixtures.pythonStructure(try #require(byRecipient["liga@example.lv"]))
            #expect(first.tree == "multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png),application/pdf)")
            #expect(first.parts == ["html-body:text/html", "text/plain/None", "text/html/None", "image/png<logo>/inline", "application/pdf/attachment"])
            let second = try ComposeFixtures.pythonStructure(try #require(byRecipient["mari@example.ee"]))
            #expect(second.tree == "multipart/mixed(multipart/related(text/html,image/png,image/png,image/gif),application/pdf)")
            #expect(second.parts == ["html-body:text/html", "text/html/None", "image/png<logo>/inline", "image/png<jalus>/inline",
                                     "image/gif<allkiri>/inline", "application/pdf/attachment"], "\(second.parts)")
        }
    }

    /// Each refusal names the message and the field; nothing is stored, not even the images.
    @Test func intakeErrorsNameMessageAndFieldAndWriteNothing() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        try Data(ComposeFixtures.png).write(to: URL(fileURLWithPath: workspace.directory + "/logo.png"))
        try Data("%PDF-1.4".utf8).write(to: URL(fileURLWithPath: workspace.directory + "/arve.pdf"))
        let cases: [(messages: String, expected: String)] = [
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:logo\">"}"#,
             "messages[1] (line 3), field 'html': the html shows cid:logo but no inline image has that cid"),
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:a\">", "inline": [{"path": "logo.png", "cid": "a"}, {"path": "logo.png", "cid": "A"}]}"#,
             "field 'inline[1].cid': cid 'A' is also given by inline[0]"),
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:a b\">", "inline": [{"path": "logo.png", "cid": "a b"}]}"#,
             "field 'inline[0].cid': 'a b' has a character a cid cannot have"),
            (#"{"to": ["a@example.ee"], "text": "Tere", "inline": [{"path": "logo.png", "cid": "logo"}]}"#,
             "field 'inline[0]': inline images need an html body"),
            (#"{"to": ["a@example.ee"], "html": "<p>Tere</p>", "inline": [{"path": "logo.png", "cid": "logo"}]}"#,
             "field 'inline[0].cid': the html never shows cid:logo"),
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:arve\">", "inline": [{"path": "arve.pdf", "cid": "arve"}]}"#,
             "field 'inline[0]': an inline image must be an image (png, jpeg, gif, …): 'arve.pdf' is application/pdf"),
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:x\">", "inline": [{"path": "../etc/passwd.png", "cid": "x"}]}"#,
             "field 'inline[x].path': attachment path ../etc/passwd.png is outside the directories"),
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:x\">", "inline": [{"path": "missing.png", "cid": "x"}]}"#,
             "field 'inline[x].path': attachment file"),
            (#"{"to": ["a@example.ee"], "html": "<img src=\"cid:x\">", "inline": [{"content": "@@", "contentType": "image/png", "cid": "x"}]}"#,
             "field 'inline[0].content': attachment content is not valid base64"),
        ]
        for (index, testCase) in cases.enumerated() {
            // A first, valid message with an image, so a refusal of the second must undo it.
            let batch = try workspace.write("bad-\(index).json", """
                {"owner": "juri", "subject": "Arve", "messages": [
                {"to": ["ok@example.ee"], "html": "<img src=\\"cid:ok\\">", "inline": [{"path": "logo.png", "cid": "ok"}]},
                \(testCase.messages)]}
                """)
            let result = try workspace.outbox.run(["enqueue", batch])
            #expect(result.status == 65, "case \(index): \(result.stderr)")
            #expect(result.stderr.contains(testCase.expected) && result.stderr.contains("nothing was enqueued"), "case \(index): \(result.stderr)")
            let dry = try workspace.outbox.run(["enqueue", "--dry-run", batch])
            #expect(dry.status == 65 && dry.stderr == result.stderr, "case \(index), dry run: \(dry.stderr)")
        }
        for table in ["message", "attachment", "content", "batch"] {
            #expect(try ComposeFixtures.rows(table, in: workspace.outbox.database) == 0, "\(table)")
        }
    }
}
