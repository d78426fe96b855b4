import Foundation
import OutboxTestSupport
import Testing

@Suite struct EnqueueCommandTests {
    static let batch = """
        {
          "key": "erp-2026-11",
          "owner": "alice",
          "subject": "Arve november",
          "text": "Tere!",
          "attachments": [{"path": "terms.pdf"}],
          "messages": [
            {"key": "inv-1", "to": ["Jüri Õunapuu <juri@example.ee>"]},
            {"key": "inv-2", "to": [{"address": "liga@example.lv", "name": "Līga Bērziņa"}], "cc": ["acc@example.lv"]},
            {"key": "inv-3", "to": ["thorunn@example.is"], "subject": "Reikningur"}
          ]
        }
        """

    @Test func enqueuesAJSONBatchAndReportsItAsJSON() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        _ = try workspace.write("terms.pdf", "%PDF-1.4 terms")
        let file = try workspace.write("batch.json", Self.batch)
        let result = try workspace.outbox.run(["enqueue", "--json", file])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        #expect(json["enqueued"] as? Int == 3 && json["duplicateBatch"] as? Bool == false && json["newContents"] as? Int == 1)

        let again = try workspace.outbox.run(["enqueue", "--json", file])
        #expect(again.status == 0)
        #expect((try again.json() as? [String: Any])?["duplicateBatch"] as? Bool == true)

        let list = try workspace.outbox.run(["list", "--json", "--state", "queued"])
        let messages = try #require(try list.json() as? [[String: Any]])
        #expect(messages.count == 3)
        #expect(messages.map { $0["subject"] as? String } == ["Arve november", "Arve november", "Reikningur"])

        let show = try workspace.outbox.run(["show", "--json", "2"])
        let detail = try #require(try show.json() as? [String: Any])
        let recipients = try #require(detail["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0["address"] as? String } == ["liga@example.lv", "acc@example.lv"])
        #expect(recipients.first?["displayName"] as? String == "Līga Bērziņa")
        #expect((detail["attachments"] as? [[String: Any]])?.first?["filename"] as? String == "terms.pdf")
    }

    @Test func aBadAddressOnLineThreeRefusesTheWholeBatch() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let lines = """
            {"batch": {"owner": "bob", "subject": "Hi", "text": "x"}}
            {"to": ["a@example.com"]}
            {"to": ["not an address"]}
            {"to": ["c@example.com"]}
            """
        let result = try workspace.outbox.run(["enqueue", "-"], stdin: lines)
        #expect(result.status == 65)
        #expect(result.stderr.contains("stdin line 3, field 'to[0]'"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was enqueued"))
        let status = try workspace.outbox.run(["status", "--json"])
        #expect((try status.json() as? [String: Any])?["totals"] as? [String: Int] == [:])
    }

    @Test(arguments: [
        (#"{"owner":"o","subject":"Hi\r\nBcc: x@evil.example","text":"x","to":["a@example.com"]}"#, "field 'subject': subject contains CR"),
        (#"{"owner":"o","subject":"Hi","text":"x","to":[{"address":"a@example.com","name":"A\nBcc: x@evil.example"}]}"#, "field 'to[0]'"),
        (#"{"owner":"o","subject":"Hi","text":"x","to":["a@example.com"],"headers":{"X-Run":"1\r\nBcc: x@evil.example"}}"#, "field 'headers.X-Run'"),
        (#"{"owner":"o","subject":"Hi","text":"x","to":["a@example.com"],"attachments":[{"path":"/nonexistent/x.pdf"}]}"#, "is outside the directories attachments may come from"),
        (#"{"subject":"Hi","text":"x","to":["a@example.com"]}"#, "owner is required"),
        (#"{"owner":"o","subject":"Hi","text":"x","to":["a@example.com"],"attachements":[]}"#, "unknown field 'attachements'"),
    ])
    func refusesInjectionAndBadInputWithAClearMessage(line: String, expected: String) throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let result = try workspace.outbox.run(["enqueue"], stdin: line + "\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("stdin line 1"), "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test func mailMergeMakesOneMessagePerRow() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let template = try workspace.write("letter.mustache", "Tere {{name}}! Arve {{invoice}} & lisa.\n")
        let csv = try workspace.write("customers.csv", "email,name,invoice,key\njuri@example.ee,Jüri,A-1,k1\n\"liga@example.lv\",\"Bērziņa, Līga\",A-2,k2\n")
        let result = try workspace.outbox.run(["enqueue", "--template", template, "--recipients", csv, "--subject", "Arve {{invoice}}",
                                               "--owner", "alice", "--key", "letters-1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try result.json() as? [String: Any])?["enqueued"] as? Int == 2)
        let list = try #require(try workspace.outbox.run(["list", "--json"]).json() as? [[String: Any]])
        #expect(list.map { $0["subject"] as? String } == ["Arve A-1", "Arve A-2"])
        #expect(list.map { $0["key"] as? String } == ["k1", "k2"])
        let show = try workspace.outbox.run(["show", "--json", "2"])
        let recipient = (try show.json() as? [String: Any]).flatMap { ($0["recipients"] as? [[String: Any]])?.first }
        #expect(recipient?["displayName"] as? String == "Bērziņa, Līga")
    }

    @Test func unwritableDatabaseDirectoryIsAClearError() throws {
        let result = try OutboxProcess(database: "/proc/outbox/outbox.db").run(["status"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/proc/outbox"), "\(result.stderr)")
        #expect(result.stderr.contains("--db"))
    }
}
