import Foundation
import OutboxTestSupport
import Testing

/// Bad input the outside probe found accepted, cut or reported in Swift's words: each is
/// refused through the real binary with exit 65, the file, line and field, a reason in
/// the user's words, and nothing written.
@Suite struct InputRefusalTests {
    /// One JSON Lines line each; the expected text names the place and the reason.
    @Test(arguments: [
        // 1. A NUL would cut the body at SQLite's C string.
        (#"{"owner":"o","subject":"s","text":"Hello\u0000World","to":["a@example.com"]}"#,
         "stdin line 1, field 'text': text contains a NUL character (U+0000) at byte 5"),
        (#"{"owner":"o","subject":"s","html":"<p>a\u0000</p>","to":["a@example.com"]}"#, "field 'html': html contains a NUL"),
        // 4. Positions and JSON's words instead of the decoder's.
        (#"{"owner":"o","subject":"\ud800","text":"x","to":["a@example.com"]}"#, "field 'subject': lone surrogate \\uD800"),
        (#"{"owner":"o","subject":"s","text":"x","priority":1.5,"to":["a@example.com"]}"#, "field 'priority': expected a whole number, found 1.5"),
        (#"{"owner":"o","subject":"s","text":"x","to":{"address":"a@example.com"}}"#, "field 'to': expected a list, found an object"),
        (#"{"owner":"o","subject":["s"],"text":"x","to":["a@example.com"]}"#, "field 'subject': expected a string, found a list"),
        (#"{"owner":"o","subject":"s","text":"x","to":[7]}"#, "field 'to[0]': expected an address"),
        // 5. Leniency that dropped data.
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],"text":"y"}"#,
         "field 'text': member 'text' appears twice in one object"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],"headers":{"X-Run":"1","x-run":"2"}}"#,
         "field 'headers.x-run': headers 'X-Run' and 'x-run' differ only in case"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com",]}"#, "line 1, column 61, field 'to': trailing comma before ']'"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],}"#, "trailing comma before '}'"),
        // 6. C1 controls, Unicode line separators, address literals.
        ("{\"owner\":\"o\",\"subject\":\"a\u{85}b\",\"text\":\"x\",\"to\":[\"a@example.com\"]}", "field 'subject': subject contains control character U+85"),
        (#"{"owner":"o","subject":"a\u2028b","text":"x","to":["a@example.com"]}"#, "subject contains control character U+2028"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],"headers":{"X-Tag":"a\u009Bb"}}"#, "field 'headers.X-Tag'"),
        (#"{"owner":"o","subject":"s","text":"x","to":[{"address":"a@example.com","name":"A\u2029B"}]}"#, "field 'to[0]'"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@[999.1.1.1]"]}"#, "field 'to[0]': domain of 'a@[999.1.1.1]' is not a valid"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@[IPv6:1::2::3]"]}"#, "field 'to[0]'"),
        // 9. Headers Outbox matches bounces and complaints by.
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],"headers":{"X-Outbox-Token":"0123"}}"#,
         "field 'headers.X-Outbox-Token': header 'X-Outbox-Token' is reserved"),
        (#"{"owner":"o","subject":"s","text":"x","to":["a@example.com"],"headers":{"x-outbox-envelope-to":"b@example.com"}}"#, "is reserved"),
    ])
    func refusedWithPlaceAndReason(line: String, expected: String) throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["enqueue", "-"], stdin: line + "\n")
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was enqueued"))
        #expect(!result.stderr.contains("Swift") && !result.stderr.contains("Dictionary<") && !result.stderr.contains("not valid JSON"))
        try expectNothingWritten(workspace)
    }

    @Test func aValidAddressLiteralIsAccepted() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let line = #"{"owner":"o","subject":"s","text":"x","to":["a@[192.0.2.1]","b@[IPv6:2001:db8::1]"]}"#
        let result = try workspace.outbox.run(["enqueue", "--json", "-"], stdin: line + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let show = try #require(try workspace.outbox.run(["show", "--json", "1"]).json() as? [String: Any])
        #expect((show["recipients"] as? [[String: Any]])?.compactMap { $0["address"] as? String } == ["a@[192.0.2.1]", "b@[ipv6:2001:db8::1]"])
    }

    @Test func invalidUTF8NamesLineColumnAndField() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        var bytes = Array("{\"messages\": [\n {\"owner\":\"o\",\"subject\":\"caf".utf8)
        bytes += [0xE9] + Array("\",\"text\":\"x\",\"to\":[\"a@example.com\"]}\n]}\n".utf8)
        let path = workspace.directory + "/latin1.json"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try workspace.outbox.run(["enqueue", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("latin1.json line 2, column 29, field 'messages[0].subject': invalid UTF-8"), "\(result.stderr)")
        #expect(!result.stderr.contains("unknown field"))
        try expectNothingWritten(workspace)
    }

    @Test func aDocumentErrorNamesTheMessageAndItsLine() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let file = try workspace.write("batch.json", """
            {
              "owner": "o", "subject": "s", "text": "x",
              "messages": [
                {"to": ["a@example.com"]},
                {"to": ["b@example.com"],
                 "priority": "high"}
              ]
            }
            """)
        let result = try workspace.outbox.run(["enqueue", file])
        #expect(result.status == 65)
        #expect(result.stderr.contains("batch.json messages[1] (line 6), field 'priority': expected a whole number"), "\(result.stderr)")

        let duplicate = try workspace.write("dup.json", "{\n\"messages\": [],\n\"owner\": \"o\",\n\"owner\": \"p\"\n}\n")
        let second = try workspace.outbox.run(["enqueue", duplicate])
        #expect(second.status == 65)
        #expect(second.stderr.contains("dup.json line 4, column 8, field 'owner': member 'owner' appears twice in one object (first on line 3)"), "\(second.stderr)")
        try expectNothingWritten(workspace)
    }

    @Test(arguments: [
        ("{\"owner\": \"o\", \"messages\": []}", "the batch has no messages"),
        ("{\"batch\": {\"owner\": \"o\", \"key\": \"k\"}}\n", "the batch has no messages"),
        ("\n\n", "input is empty"),
    ])
    func anEmptyBatchIsRefused(input: String, expected: String) throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["enqueue", "-"], stdin: input)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        try expectNothingWritten(workspace)
    }

    @Test func aDirectoryAsTheBatchFileIsRefused() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["enqueue", workspace.directory])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("\(workspace.directory) is a directory"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSError") && !result.stderr.contains("Code="))
    }

    @Test func aTemplateErrorNamesItsLineInsteadOfTheParserState() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let template = try workspace.write("letter.mustache", "Dear {{name}},\n{{#items}}\n- {{title}}\n")
        let csv = try workspace.write("people.csv", "email,name\na@example.com,A\n")
        let result = try workspace.outbox.run(["enqueue", "--template", template, "--recipients", csv, "--subject", "Hi", "--owner", "o"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("--template line"), "\(result.stderr)")
        #expect(result.stderr.contains("a section is not closed"), "\(result.stderr)")
        #expect(!result.stderr.contains("MustacheTemplate") && !result.stderr.contains("context:"))
    }

    private func expectNothingWritten(_ workspace: Workspace) throws {
        guard FileManager.default.fileExists(atPath: workspace.directory + "/outbox.db") else { return }
        let events = try workspace.outbox.run(["events", "--json"])
        #expect(events.status == 0, "\(events.stderr)")
        #expect((try events.json() as? [Any])?.isEmpty == true, "\(events.stdout)")
    }
}
